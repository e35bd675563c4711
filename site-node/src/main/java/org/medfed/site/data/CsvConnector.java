package org.medfed.site.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a delimited text file into a {@link RawTable}, keeping only the mapped columns.
 *
 * <p>Quoted fields are not supported: the clinical exports this reads are plain numeric tables, and
 * a quote in one means the mapping or the export is wrong.
 */
public final class CsvConnector {

  /**
   * Plain decimal numbers only. {@link Double#parseDouble} alone would also take "NaN", "Infinity",
   * "1d" and hex floats, which in a clinical export are data errors, not numbers.
   */
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  private CsvConnector() {}

  /**
   * Reads {@code csvFile} as described by {@code mapping}.
   *
   * @throws DataException naming the file, line and column of the first bad cell or row
   */
  public static RawTable read(Path csvFile, SchemaMapping mapping) throws DataException {
    String file = String.valueOf(csvFile.getFileName());
    List<String> names = new ArrayList<>(mapping.columns().keySet());
    int[] sourceIndex = null;
    String[] sourceLabel = new String[names.size()];
    int expectedFields = -1;
    int blankLine = -1;
    List<RawRow> rows = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(csvFile, StandardCharsets.UTF_8)) {
      String line;
      int lineNumber = 0;
      // readLine() accepts LF, CRLF and CR line ends alike.
      while ((line = in.readLine()) != null) {
        lineNumber++;
        if (lineNumber == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          if (blankLine < 0) {
            blankLine = lineNumber;
          }
          continue;
        }
        if (blankLine >= 0) {
          throw new DataException(file + " line " + blankLine + " is blank, but data rows follow");
        }
        List<String> fields = split(line, mapping.delimiter());
        if (sourceIndex == null) {
          expectedFields = fields.size();
          sourceIndex = resolve(file, mapping, fields, sourceLabel);
          if (mapping.header()) {
            continue;
          }
        }
        if (fields.size() != expectedFields) {
          throw new DataException(
              file
                  + " line "
                  + lineNumber
                  + " has "
                  + fields.size()
                  + " fields, but "
                  + expectedFields
                  + " were expected");
        }
        double[] values = new double[names.size()];
        for (int c = 0; c < values.length; c++) {
          String cell = fields.get(sourceIndex[c]);
          if (mapping.missingValues().contains(cell)) {
            values[c] = Double.NaN;
          } else if (NUMBER.matcher(cell).matches()) {
            values[c] = Double.parseDouble(cell);
          } else {
            // The cell itself is not quoted: it may be a patient's value, and logs must not
            // hold one. File, line and column are enough to find it.
            throw new DataException(
                file
                    + " line "
                    + lineNumber
                    + ", column '"
                    + names.get(c)
                    + "' (source column "
                    + sourceLabel[c]
                    + "): the value is not a number");
          }
        }
        rows.add(new RawRow(lineNumber, values));
      }
    } catch (NoSuchFileException e) {
      throw new DataException("data file " + csvFile + " does not exist", e);
    } catch (IOException e) {
      throw new DataException("cannot read data file " + csvFile + ": " + e.getMessage(), e);
    }
    if (rows.isEmpty()) {
      throw new DataException(file + " contains no data rows");
    }
    return new RawTable(csvFile, names, rows);
  }

  /** Finds the field index of every mapped column, from the header or from the positions. */
  private static int[] resolve(
      String file, SchemaMapping mapping, List<String> firstLine, String[] labels)
      throws DataException {
    int[] index = new int[mapping.columns().size()];
    int c = 0;
    for (Map.Entry<String, String> e : mapping.columns().entrySet()) {
      String source = e.getValue();
      if (mapping.header()) {
        index[c] = firstLine.indexOf(source);
        if (index[c] < 0) {
          throw new DataException(
              "mapping column '"
                  + e.getKey()
                  + "' names the header '"
                  + source
                  + "', which "
                  + file
                  + " does not have");
        }
        labels[c] = "'" + source + "'";
      } else {
        int position = SchemaMapping.position(source);
        if (position > firstLine.size()) {
          throw new DataException(
              "mapping column '"
                  + e.getKey()
                  + "' names source column "
                  + position
                  + ", but "
                  + file
                  + " has only "
                  + firstLine.size()
                  + " columns");
        }
        index[c] = position - 1;
        labels[c] = source;
      }
      c++;
    }
    return index;
  }

  static List<String> split(String line, char delimiter) {
    List<String> fields = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= line.length(); i++) {
      if (i == line.length() || line.charAt(i) == delimiter) {
        fields.add(line.substring(start, i).strip());
        start = i + 1;
      }
    }
    return fields;
  }
}
