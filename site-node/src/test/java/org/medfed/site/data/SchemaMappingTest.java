package org.medfed.site.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMappingTest {
  @TempDir Path dir;

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("mapping.yaml"), text);
  }

  @Test
  void uciMappingMapsElevenColumnsInFileOrder() throws DataException {
    Path file =
        Path.of(
            System.getProperty("medfed.repo.root"), "data", "heart-disease", "uci-mapping.yaml");
    SchemaMapping mapping = SchemaMapping.load(file);
    assertEquals(',', mapping.delimiter());
    assertFalse(mapping.header());
    assertEquals(Set.of("?"), mapping.missingValues());
    assertEquals(
        List.of(
            "age",
            "sex",
            "cp",
            "trestbps",
            "chol",
            "fbs",
            "restecg",
            "thalach",
            "exang",
            "oldpeak",
            "num"),
        List.copyOf(mapping.columns().keySet()));
    assertEquals("14", mapping.columns().get("num"));
    assertFalse(mapping.columns().containsKey("thal"));
  }

  @Test
  void unknownKeyIsNamedWithTheFile() throws IOException {
    Path file = write("header: false\nseparator: ';'\ncolumns:\n  age: 1\n");
    DataException e = assertThrows(DataException.class, () -> SchemaMapping.load(file));
    assertTrue(
        e.getMessage().startsWith("mapping.yaml has the unknown key 'separator'"), e.getMessage());
  }

  @Test
  void emptyColumnsAreRejected() throws IOException {
    Path file = write("header: false\ncolumns: {}\n");
    DataException e = assertThrows(DataException.class, () -> SchemaMapping.load(file));
    assertTrue(e.getMessage().startsWith("mapping.yaml: columns must map"), e.getMessage());
  }

  @Test
  void positionThatIsNotAPositiveIntegerIsRejected() throws IOException {
    for (String bad : List.of("0", "-1", "age", "1.5")) {
      Path file = write("header: false\ncolumns:\n  age: " + bad + "\n");
      DataException e = assertThrows(DataException.class, () -> SchemaMapping.load(file));
      assertTrue(e.getMessage().contains("column 'age' maps to '" + bad + "'"), e.getMessage());
      assertTrue(e.getMessage().startsWith("mapping.yaml"), e.getMessage());
    }
  }

  @Test
  void headerNamesAreSourcesWhenTheFileHasAHeader() throws IOException, DataException {
    Path file =
        write(
            "format: csv\nheader: true\ndelimiter: ';'\nmissing-values: ['NA', '']\n"
                + "columns:\n  age: Age\n  num: diagnosis\n");
    SchemaMapping mapping = SchemaMapping.load(file);
    assertEquals(';', mapping.delimiter());
    assertEquals(Map.of("age", "Age", "num", "diagnosis"), mapping.columns());
    assertEquals(Set.of("NA", ""), mapping.missingValues());
  }

  @Test
  void formatOtherThanCsvIsRejected() throws IOException {
    Path file = write("format: parquet\ncolumns:\n  age: 1\n");
    DataException e = assertThrows(DataException.class, () -> SchemaMapping.load(file));
    assertEquals("mapping.yaml: format must be 'csv', not 'parquet'", e.getMessage());
  }

  @Test
  void multiCharacterDelimiterIsRejected() throws IOException {
    Path file = write("delimiter: ',,'\ncolumns:\n  age: 1\n");
    assertThrows(DataException.class, () -> SchemaMapping.load(file));
  }

  @Test
  void duplicateColumnIsRejected() throws IOException {
    Path file = write("columns:\n  age: 1\n  age: 2\n");
    DataException e = assertThrows(DataException.class, () -> SchemaMapping.load(file));
    assertTrue(e.getMessage().startsWith("mapping.yaml is not valid YAML"), e.getMessage());
  }

  @Test
  void absentFileIsNamed() {
    Path file = dir.resolve("nope.yaml");
    DataException e = assertThrows(DataException.class, () -> SchemaMapping.load(file));
    assertEquals("mapping file " + file + " does not exist", e.getMessage());
  }

  @Test
  void constructorKeepsColumnOrder() {
    var columns = new java.util.LinkedHashMap<String, String>();
    columns.put("z", "1");
    columns.put("a", "2");
    SchemaMapping mapping = new SchemaMapping(',', false, Set.of(), columns);
    assertEquals(List.of("z", "a"), List.copyOf(mapping.columns().keySet()));
  }
}
