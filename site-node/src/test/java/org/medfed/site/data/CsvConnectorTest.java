package org.medfed.site.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvConnectorTest {
  private static final Path HEART =
      Path.of(System.getProperty("medfed.repo.root"), "data", "heart-disease");

  @TempDir Path dir;

  private static SchemaMapping positions(String... nameEqualsPosition) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (String s : nameEqualsPosition) {
      String[] kv = s.split("=");
      columns.put(kv[0], kv[1]);
    }
    return new SchemaMapping(',', false, Set.of("?"), columns);
  }

  private static SchemaMapping uci() throws DataException {
    return SchemaMapping.load(HEART.resolve("uci-mapping.yaml"));
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void readsEveryRowOfTheFourUciFiles() throws DataException {
    Map<String, Integer> expected =
        Map.of("cleveland", 303, "hungarian", 294, "switzerland", 123, "va", 200);
    for (var e : expected.entrySet()) {
      RawTable table = CsvConnector.read(HEART.resolve("processed." + e.getKey() + ".data"), uci());
      assertEquals(e.getValue(), table.rows().size(), e.getKey());
      assertEquals(11, table.columns().size());
      assertEquals(1, table.rows().get(0).lineNumber());
      assertEquals(e.getValue(), table.rows().getLast().lineNumber());
    }
  }

  @Test
  void missingMarkersBecomeNan() throws DataException {
    RawTable table = CsvConnector.read(HEART.resolve("processed.hungarian.data"), uci());
    int chol = table.columnIndex("chol");
    long missing = table.rows().stream().filter(r -> Double.isNaN(r.value(chol))).count();
    assertEquals(23, missing);
    // Hungarian line 3 is "29,1,2,140,?,0,0,170,0,0,?,?,?,0".
    RawRow third = table.rows().get(2);
    assertTrue(third.hasMissing());
    assertEquals(140.0, third.value(table.columnIndex("trestbps")));
  }

  @Test
  void readsUciNumberFormats() throws IOException, DataException {
    Path file = write("n.data", "63.0,.7,-0.5,+2,1e2\n");
    RawTable table = CsvConnector.read(file, positions("a=1", "b=2", "c=3", "d=4", "e=5"));
    assertArrayEquals(new double[] {63.0, 0.7, -0.5, 2.0, 100.0}, table.rows().get(0).values());
  }

  @Test
  void malformedNumberNamesFileLineAndColumn() throws IOException {
    Path file = write("processed.va.data", "1,2,3,4,5\n1,2,3,4,abc\n");
    DataException e =
        assertThrows(
            DataException.class, () -> CsvConnector.read(file, positions("age=1", "chol=5")));
    assertEquals(
        "processed.va.data line 2, column 'chol' (source column 5): the value is not a number",
        e.getMessage());
  }

  @Test
  void javaOnlyNumberSpellingsAreNotNumbers() throws IOException {
    for (String cell : List.of("NaN", "Infinity", "1d", "0x10", "1 5")) {
      Path file = write("x.csv", "1," + cell + "\n");
      assertThrows(
          DataException.class, () -> CsvConnector.read(file, positions("a=1", "b=2")), cell);
    }
  }

  @Test
  void wrongFieldCountNamesFileLineAndCounts() throws IOException {
    Path file = write("short.data", "1,2,3\n4,5,6\n7,8\n");
    DataException e =
        assertThrows(DataException.class, () -> CsvConnector.read(file, positions("a=1")));
    assertEquals("short.data line 3 has 2 fields, but 3 were expected", e.getMessage());
  }

  @Test
  void positionBeyondTheFieldsNamesMappingColumnAndFile() throws IOException {
    Path file = write("narrow.data", "1,2,3\n");
    DataException e =
        assertThrows(
            DataException.class, () -> CsvConnector.read(file, positions("a=1", "thal=13")));
    assertEquals(
        "mapping column 'thal' names source column 13, but narrow.data has only 3 columns",
        e.getMessage());
  }

  @Test
  void absentHeaderNameNamesMappingColumnAndFile() throws IOException {
    Path file = write("h.csv", "Age;Sex\n63;1\n");
    SchemaMapping mapping = new SchemaMapping(';', true, Set.of(), Map.of("chol", "Cholesterol"));
    DataException e = assertThrows(DataException.class, () -> CsvConnector.read(file, mapping));
    assertEquals(
        "mapping column 'chol' names the header 'Cholesterol', which h.csv does not have",
        e.getMessage());
  }

  @Test
  void headerColumnsAreFoundByNameInAnyOrder() throws IOException, DataException {
    Path file = write("h.csv", "Sex;Age;Num\n1;63;0\n0;NA;2\n");
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put("age", "Age");
    columns.put("num", "Num");
    RawTable table = CsvConnector.read(file, new SchemaMapping(';', true, Set.of("NA"), columns));
    assertEquals(List.of("age", "num"), table.columns());
    assertArrayEquals(new double[] {63, 0}, table.rows().get(0).values());
    assertEquals(3, table.rows().get(1).lineNumber());
    assertTrue(Double.isNaN(table.rows().get(1).value(0)));
  }

  @Test
  void crlfLineEndsAndTrailingBlankLinesAreAccepted() throws IOException, DataException {
    Path file = write("w.data", "1,2\r\n3,?\r\n\r\n\r\n");
    RawTable table = CsvConnector.read(file, positions("a=1", "b=2"));
    assertEquals(2, table.rows().size());
    assertArrayEquals(new double[] {1, 2}, table.rows().get(0).values());
    assertFalse(table.rows().get(0).hasMissing());
    assertTrue(table.rows().get(1).hasMissing());
  }

  @Test
  void blankLineBeforeDataIsReported() throws IOException {
    Path file = write("gap.data", "1,2\n\n3,4\n");
    DataException e =
        assertThrows(DataException.class, () -> CsvConnector.read(file, positions("a=1")));
    assertEquals("gap.data line 2 is blank, but data rows follow", e.getMessage());
  }

  @Test
  void emptyFileIsReported() throws IOException {
    Path file = write("empty.data", "\n");
    DataException e =
        assertThrows(DataException.class, () -> CsvConnector.read(file, positions("a=1")));
    assertEquals("empty.data contains no data rows", e.getMessage());
  }

  @Test
  void absentFileIsReported() {
    Path file = dir.resolve("gone.data");
    DataException e =
        assertThrows(DataException.class, () -> CsvConnector.read(file, positions("a=1")));
    assertEquals("data file " + file + " does not exist", e.getMessage());
  }
}
