package org.medfed.site.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The mapped columns of one source file, with canonical column names.
 *
 * @param source the file the rows were read from
 * @param columns canonical column names, in the mapping's order
 * @param rows the data rows, in file order
 */
public record RawTable(Path source, List<String> columns, List<RawRow> rows) {

  public RawTable {
    if (source == null) {
      throw new NullPointerException("source");
    }
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
    if (columns.stream().distinct().count() != columns.size()) {
      throw new IllegalArgumentException("duplicate column names: " + columns);
    }
    for (RawRow row : rows) {
      if (row.size() != columns.size()) {
        throw new IllegalArgumentException(
            "row at line "
                + row.lineNumber()
                + " has "
                + row.size()
                + " values for "
                + columns.size()
                + " columns");
      }
    }
  }

  /** Returns the index of a canonical column, or -1 if the table does not have it. */
  public int columnIndex(String column) {
    return columns.indexOf(column);
  }
}
