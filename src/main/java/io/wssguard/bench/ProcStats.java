package io.wssguard.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What Linux's {@code /proc} says about a process: CPU time of all its threads and resident memory.
 *
 * <p>CPU comes two ways. {@code utime+stime} of {@code /proc/PID/stat} covers every thread, living
 * or ended, but in 10 ms clock ticks; {@code /proc/PID/task/TID/schedstat} has nanoseconds but only
 * for threads alive at both samples. The bench reports the nanosecond figure and keeps the tick
 * figure beside it as a cross-check.
 */
final class ProcStats {
  /** USER_HZ: the unit of utime/stime; 100 on every Linux architecture wssguard runs on. */
  static final long TICK_NANOS = 10_000_000L;

  private ProcStats() {}

  record Cpu(long ticks, Map<String, Long> threadNanos) {
    /** Nanoseconds spent between {@code before} and this sample by threads alive at this one. */
    long nanosSince(Cpu before) {
      long sum = 0;
      for (Map.Entry<String, Long> e : threadNanos.entrySet()) {
        sum += e.getValue() - before.threadNanos.getOrDefault(e.getKey(), 0L);
      }
      return sum;
    }

    long tickNanosSince(Cpu before) {
      return (ticks - before.ticks) * TICK_NANOS;
    }
  }

  static Cpu cpu(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // Fields after the command name (which may hold spaces) start with field 3, the state.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    Map<String, Long> threads = new HashMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks) {
        try {
          String s = Files.readString(task.resolve("schedstat"));
          threads.put(
              task.getFileName().toString(), Long.parseLong(s.substring(0, s.indexOf(' '))));
        } catch (IOException | RuntimeException e) {
          // the thread ended between listing and reading
        }
      }
    }
    return new Cpu(ticks, threads);
  }

  /** Resident set size in bytes (VmRSS), or -1 when not readable. */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+", -1)[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** The 1-minute load average, or -1. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
