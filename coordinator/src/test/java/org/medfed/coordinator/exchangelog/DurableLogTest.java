package org.medfed.coordinator.exchangelog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableLogTest {
  @TempDir Path dir;

  private static byte[] record(int i) {
    return ("entry " + i).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void reopenedLogHoldsEveryAppendedRecordInOrder() throws IOException {
    Path file = dir.resolve("log");
    try (DurableLog log = DurableLog.open(file)) {
      for (int i = 0; i < 100; i++) {
        assertEquals(i, log.append(record(i)));
      }
    }
    try (DurableLog log = DurableLog.open(file)) {
      assertEquals(100, log.size());
      assertEquals(0, log.cutBytes());
      List<byte[]> records = log.read(0, 100);
      for (int i = 0; i < 100; i++) {
        assertArrayEquals(record(i), records.get(i));
      }
      assertEquals(100, log.append(record(100)));
    }
  }

  @Test
  void anInterruptedAppenderLeavesTheLogOpenForEveryoneElse() throws Exception {
    // An interrupt during I/O on a FileChannel closes it for all threads: a shutdown that
    // interrupts one appender would make the coordinator refuse every later entry.
    Path file = dir.resolve("log");
    try (DurableLog log = DurableLog.open(file)) {
      log.append(record(0));
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread interrupted =
          Thread.ofPlatform()
              .start(
                  () -> {
                    Thread.currentThread().interrupt();
                    try {
                      log.append(record(1));
                      log.read(0, 2);
                      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
                    } catch (IOException | AssertionError e) {
                      failure.set(e);
                    }
                  });
      interrupted.join(10_000);

      assertEquals(null, failure.get());
      assertEquals(2, log.append(record(2)));
      assertArrayEquals(record(1), log.read(1, 2).getFirst());
    }
    try (DurableLog reopened = DurableLog.open(file)) {
      assertEquals(3, reopened.size());
    }
  }

  @Test
  void appendsSurviveReadersBeingInterruptedInTheMiddleOfTheirReads() throws Exception {
    // Interrupts that land during another thread's I/O (not before it) close a FileChannel too;
    // the log reopens its file and repeats the operation, so no append or read fails.
    Path file = dir.resolve("log");
    try (DurableLog log = DurableLog.open(file)) {
      log.append(record(0));
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicBoolean stop = new AtomicBoolean();
      Thread reader =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      while (!stop.get()) {
                        log.read(0, 1);
                      }
                    } catch (IOException | RuntimeException e) {
                      failure.set(e);
                    }
                  });
      long until = System.nanoTime() + 300_000_000L;
      int appended = 1;
      while (System.nanoTime() < until) {
        reader.interrupt();
        assertEquals(appended, log.append(record(appended)));
        appended++;
      }
      stop.set(true);
      reader.join(10_000);

      assertEquals(null, failure.get());
      assertEquals(appended, log.size());
      assertArrayEquals(record(appended - 1), log.read(appended - 1, appended).getFirst());
    }
  }

  @Test
  void tornLastRecordIsCutAndEverythingBeforeItKept() throws IOException {
    Path file = dir.resolve("log");
    try (DurableLog log = DurableLog.open(file)) {
      for (int i = 0; i < 3; i++) {
        log.append(record(i));
      }
    }
    long size = Files.size(file);
    try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
      raw.setLength(size - 3);
    }
    try (DurableLog log = DurableLog.open(file)) {
      assertEquals(2, log.size());
      assertTrue(log.cutBytes() > 0);
      assertArrayEquals(record(1), log.read(1, 2).getFirst());
    }
  }

  @Test
  void zeroFilledTailLeftByACrashIsCut() throws IOException {
    Path file = dir.resolve("log");
    try (DurableLog log = DurableLog.open(file)) {
      log.append(record(0));
    }
    Files.write(file, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
    try (DurableLog log = DurableLog.open(file)) {
      assertEquals(1, log.size());
      assertEquals(4096, log.cutBytes());
    }
  }

  @Test
  void damagedRecordWithIntactRecordsAfterItRefusesToOpen() throws IOException {
    Path file = dir.resolve("log");
    try (DurableLog log = DurableLog.open(file)) {
      for (int i = 0; i < 3; i++) {
        log.append(record(i));
      }
    }
    byte[] bytes = Files.readAllBytes(file);
    // Record 1 starts after the magic (8) and record 0 (8 + 7); flip a byte in its payload.
    bytes[8 + 15 + 8 + 2] ^= 0x40;
    Files.write(file, bytes);
    IOException refused = assertThrows(IOException.class, () -> DurableLog.open(file));
    assertTrue(refused.getMessage().contains("corrupt at record 1"), refused.getMessage());
  }

  @Test
  void fileThatIsNotALogIsRefused() throws IOException {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "hello, world");
    IOException refused = assertThrows(IOException.class, () -> DurableLog.open(file));
    assertTrue(refused.getMessage().contains("not a MedFed exchange log"));
  }

  @Test
  void concurrentAppendersGetDistinctIndexesAndAllSurvive() throws Exception {
    Path file = dir.resolve("log");
    Set<Long> indexes = ConcurrentHashMap.newKeySet();
    try (DurableLog log = DurableLog.open(file)) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int i = 0; i < 50; i++) {
                        try {
                          indexes.add(log.append(record(thread * 1000 + i)));
                        } catch (IOException e) {
                          throw new java.io.UncheckedIOException(e);
                        }
                      }
                    }));
      }
      for (Thread thread : threads) {
        thread.join();
      }
    }
    assertEquals(400, indexes.size());
    try (DurableLog log = DurableLog.open(file)) {
      assertEquals(400, log.size());
    }
  }

  @Property(tries = 60)
  void cuttingTheFileAnywhereKeepsExactlyTheWholeRecordsBeforeTheCut(
      @ForAll @Size(min = 1, max = 20) List<@Size(min = 1, max = 40) List<Byte>> entries,
      @ForAll @IntRange(min = 0, max = 10_000) int cutSeed)
      throws IOException {
    // jqwik does not inject JUnit's @TempDir into properties.
    Path file = Files.createTempDirectory("medfed-log").resolve("log.bin");
    List<Long> ends = new ArrayList<>();
    try (DurableLog log = DurableLog.open(file)) {
      for (List<Byte> entry : entries) {
        byte[] bytes = new byte[entry.size()];
        for (int i = 0; i < bytes.length; i++) {
          bytes[i] = entry.get(i);
        }
        log.append(bytes);
        ends.add(Files.size(file));
      }
    }
    long cut = 8 + cutSeed % (Files.size(file) - 8 + 1);
    try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
      raw.setLength(cut);
    }
    long whole = ends.stream().filter(end -> end <= cut).count();
    try (DurableLog log = DurableLog.open(file)) {
      assertEquals(whole, log.size());
    } finally {
      Files.delete(file);
      Files.delete(file.getParent());
    }
  }
}
