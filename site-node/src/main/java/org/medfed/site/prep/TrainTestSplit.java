package org.medfed.site.prep;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.medfed.site.data.DataException;
import org.medfed.site.data.RawRow;

/** Decides which of a site's preprocessed rows are used for training and which for testing. */
public sealed interface TrainTestSplit permits TrainTestSplit.FromFile, TrainTestSplit.Seeded {

  /**
   * Returns, for each row, whether it is a training row.
   *
   * @param rows the rows that survived preprocessing, in file order
   * @param labels the binary label of each row
   * @throws DataException if the split cannot be applied to these rows
   */
  boolean[] assign(List<RawRow> rows, int[] labels) throws DataException;

  /**
   * Reads a fixed split such as {@code flamby_split_rs43.csv}, whose columns are {@code
   * center_id,center_name,line_in_file,split,label_binary} and which lists only the kept rows.
   */
  static TrainTestSplit fromFile(Path splitCsv, String centerName) throws DataException {
    return FromFile.read(splitCsv, centerName);
  }

  /**
   * A stratified random split: within each class, a shuffled {@code trainFraction} of the rows
   * (rounded) goes to training. The same rows and seed always give the same split.
   */
  static TrainTestSplit seeded(double trainFraction, long seed) {
    return new Seeded(trainFraction, seed);
  }

  /**
   * A split fixed by a file, keyed by the 1-based line of each row in its data file.
   *
   * @param file the split file, for messages
   * @param centerName the centre whose rows these are
   * @param trainByLine data-file line to true (train) or false (test)
   * @param labelByLine data-file line to the label the split file recorded
   */
  record FromFile(
      Path file,
      String centerName,
      Map<Integer, Boolean> trainByLine,
      Map<Integer, Integer> labelByLine)
      implements TrainTestSplit {

    static final String HEADER = "center_id,center_name,line_in_file,split,label_binary";

    public FromFile {
      trainByLine = Map.copyOf(trainByLine);
      labelByLine = Map.copyOf(labelByLine);
      if (!trainByLine.keySet().equals(labelByLine.keySet())) {
        throw new IllegalArgumentException("trainByLine and labelByLine must cover the same lines");
      }
    }

    static FromFile read(Path splitCsv, String centerName) throws DataException {
      String name = String.valueOf(splitCsv.getFileName());
      Map<Integer, Boolean> train = new HashMap<>();
      Map<Integer, Integer> label = new HashMap<>();
      Set<String> centers = new TreeSet<>();
      try (BufferedReader in = Files.newBufferedReader(splitCsv, StandardCharsets.UTF_8)) {
        String header = in.readLine();
        if (header == null || !header.strip().equals(HEADER)) {
          throw new DataException(name + " line 1 must be the header '" + HEADER + "'");
        }
        String line;
        int lineNumber = 1;
        while ((line = in.readLine()) != null) {
          lineNumber++;
          if (line.isBlank()) {
            continue;
          }
          String[] f = line.split(",", -1);
          if (f.length != 5) {
            throw new DataException(
                name + " line " + lineNumber + " has " + f.length + " fields, but 5 were expected");
          }
          centers.add(f[1].strip());
          if (!f[1].strip().equals(centerName)) {
            continue;
          }
          int dataLine = parseInt(f[2].strip(), name, lineNumber, "line_in_file");
          if (dataLine < 1) {
            throw new DataException(name + " line " + lineNumber + ": line_in_file must be >= 1");
          }
          String split = f[3].strip();
          if (!split.equals("train") && !split.equals("test")) {
            throw new DataException(
                name
                    + " line "
                    + lineNumber
                    + ", column 'split': '"
                    + split
                    + "' is neither 'train' nor 'test'");
          }
          int y = parseInt(f[4].strip(), name, lineNumber, "label_binary");
          if (y != 0 && y != 1) {
            throw new DataException(
                name + " line " + lineNumber + ", column 'label_binary': " + y + " is not 0 or 1");
          }
          if (train.put(dataLine, split.equals("train")) != null) {
            throw new DataException(
                name
                    + " line "
                    + lineNumber
                    + " lists line "
                    + dataLine
                    + " of centre '"
                    + centerName
                    + "' a second time");
          }
          label.put(dataLine, y);
        }
      } catch (NoSuchFileException e) {
        throw new DataException("split file " + splitCsv + " does not exist", e);
      } catch (IOException e) {
        throw new DataException("cannot read split file " + splitCsv + ": " + e.getMessage(), e);
      }
      if (train.isEmpty()) {
        throw new DataException(
            name
                + " has no rows for centre '"
                + centerName
                + "' (centres: "
                + String.join(", ", centers)
                + ")");
      }
      return new FromFile(splitCsv, centerName, train, label);
    }

    private static int parseInt(String s, String file, int line, String column)
        throws DataException {
      try {
        return Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new DataException(
            file + " line " + line + ", column '" + column + "': '" + s + "' is not an integer", e);
      }
    }

    /** Returns whether the row at this data-file line is a training row. */
    public boolean isTrain(RawRow row) throws DataException {
      Boolean t = trainByLine.get(row.lineNumber());
      if (t == null) {
        throw new DataException(
            file.getFileName()
                + " has no entry for line "
                + row.lineNumber()
                + " of centre '"
                + centerName
                + "', which preprocessing kept");
      }
      return t;
    }

    @Override
    public boolean[] assign(List<RawRow> rows, int[] labels) throws DataException {
      checkSizes(rows, labels);
      boolean[] out = new boolean[rows.size()];
      Set<Integer> seen = new HashSet<>();
      for (int i = 0; i < out.length; i++) {
        RawRow row = rows.get(i);
        out[i] = isTrain(row);
        seen.add(row.lineNumber());
        int recorded = labelByLine.get(row.lineNumber());
        if (recorded != labels[i]) {
          // A disagreement means the data file or the label rule is not the one the split was
          // made for, so the split would silently mean something else.
          throw new DataException(
              file.getFileName()
                  + " records label "
                  + recorded
                  + " for line "
                  + row.lineNumber()
                  + " of centre '"
                  + centerName
                  + "', but the data give label "
                  + labels[i]);
        }
      }
      if (seen.size() != trainByLine.size()) {
        int missing =
            new TreeSet<>(trainByLine.keySet())
                .stream().filter(l -> !seen.contains(l)).findFirst().orElseThrow();
        throw new DataException(
            file.getFileName()
                + " lists line "
                + missing
                + " of centre '"
                + centerName
                + "', which the data file lacks or preprocessing dropped");
      }
      return out;
    }
  }

  /**
   * A stratified split drawn from a seeded generator.
   *
   * @param trainFraction the share of each class that goes to training, strictly between 0 and 1
   * @param seed the generator seed
   */
  record Seeded(double trainFraction, long seed) implements TrainTestSplit {

    public Seeded {
      if (!(trainFraction > 0.0 && trainFraction < 1.0)) {
        throw new IllegalArgumentException(
            "trainFraction must be strictly between 0 and 1, got " + trainFraction);
      }
    }

    @Override
    public boolean[] assign(List<RawRow> rows, int[] labels) throws DataException {
      checkSizes(rows, labels);
      boolean[] out = new boolean[rows.size()];
      // Not security-relevant: the split only has to be reproducible.
      SplittableRandom random = new SplittableRandom(seed);
      for (int cls = 0; cls <= 1; cls++) {
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
          if (labels[i] == cls) {
            members.add(i);
          }
        }
        for (int i = members.size() - 1; i > 0; i--) {
          int j = random.nextInt(i + 1);
          Integer tmp = members.get(i);
          members.set(i, members.get(j));
          members.set(j, tmp);
        }
        long nTrain = Math.round(trainFraction * members.size());
        for (int k = 0; k < nTrain; k++) {
          out[members.get(k)] = true;
        }
      }
      return out;
    }
  }

  private static void checkSizes(List<RawRow> rows, int[] labels) {
    if (rows.size() != labels.length) {
      throw new IllegalArgumentException(rows.size() + " rows but " + labels.length + " labels");
    }
    for (int y : labels) {
      if (y != 0 && y != 1) {
        throw new IllegalArgumentException("labels must be 0 or 1, got " + y);
      }
    }
  }
}
