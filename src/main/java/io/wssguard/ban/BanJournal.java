package io.wssguard.ban;

import io.wssguard.net.Cidr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The ban list on disk: an append-only text file, one event a line, each line forced to disk before
 * the change it records is reported done. Replaying the lines in order gives the ban list.
 *
 * <pre>
 * # wssguard bans v1
 * ban&lt;TAB&gt;203.0.113.7&lt;TAB&gt;1767225600000&lt;TAB&gt;reason&lt;TAB&gt;strike 1&lt;TAB&gt;strike 2 ...
 * unban&lt;TAB&gt;203.0.113.0/24
 * expire&lt;TAB&gt;198.51.100.7
 * </pre>
 *
 * A {@code ban} line states the whole ban (an extended ban is written again), {@code until} is
 * epoch milliseconds, and tab, newline, carriage return and backslash inside text are written
 * {@code \t \n \r \\}. A line is complete only with its newline: a crash in the middle of an append
 * leaves a last line without one (or with garbage), and that line alone is skipped with a warning.
 * Any other bad line is an error naming {@code file:line}, because guessing would silently drop or
 * invent bans.
 *
 * <p>The file is rewritten to the active set (temporary file, fsync, atomic rename, fsync of the
 * directory) when it is opened and when it has grown to many more lines than there are bans. One
 * process at a time may write: a lock on {@code <journal>.lock} is held while open, because a
 * second writer's rename would leave the first appending to a file nobody reads.
 */
final class BanJournal implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BanJournal.class.getName());
  static final String HEADER = "# wssguard bans v1";

  private final Path path;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel out;
  private int lines;

  private BanJournal(Path path, FileChannel lockChannel, FileLock lock) {
    this.path = path;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Locks the journal, replays it, and rewrites it to the bans active at {@code now}. */
  static BanJournal open(Path path, Instant now, Map<Cidr, Ban> into) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    FileChannel lockChannel =
        FileChannel.open(lockPath(path), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      lockChannel.close();
      throw e;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException(
          path + ": in use by another wssguard process (" + lockPath(path) + " is locked)");
    }
    BanJournal journal = new BanJournal(path, lockChannel, lock);
    try {
      Map<Cidr, Ban> replayed = replay(path);
      replayed.values().removeIf(ban -> !ban.activeAt(now));
      into.putAll(replayed);
      journal.rewrite(replayed.values());
      return journal;
    } catch (IOException | RuntimeException e) {
      journal.close();
      throw e;
    }
  }

  /** The bans a journal holds, in the order first banned; does not lock or change the file. */
  static Map<Cidr, Ban> replay(Path path) throws IOException {
    Map<Cidr, Ban> bans = new LinkedHashMap<>();
    if (!Files.exists(path)) {
      return bans;
    }
    String text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
    int lineNo = 0;
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      lineNo++;
      boolean last = end < 0 || end == text.length() - 1;
      String line = end < 0 ? text.substring(start) : text.substring(start, end);
      start = end < 0 ? text.length() : end + 1;
      if (end < 0) {
        LOG.warning(
            path
                + ":"
                + lineNo
                + ": last line is incomplete (no newline; an interrupted write), skipped");
        break;
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        apply(line, bans);
      } catch (IllegalArgumentException e) {
        String where = path + ":" + lineNo + ": ";
        if (last) {
          LOG.warning(
              where + e.getMessage() + "; it is the last line (an interrupted write?), skipped");
          break;
        }
        throw new IOException(where + e.getMessage());
      }
    }
    return bans;
  }

  private static void apply(String line, Map<Cidr, Ban> bans) {
    List<String> fields = split(line);
    String event = fields.get(0);
    switch (event) {
      case "ban" -> {
        if (fields.size() < 4) {
          throw new IllegalArgumentException(
              "ban needs target, until and reason (found " + (fields.size() - 1) + " fields)");
        }
        Cidr target = target(fields.get(1));
        Instant until;
        try {
          until = Instant.ofEpochMilli(Long.parseLong(fields.get(2)));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "until '" + fields.get(2) + "' is not epoch milliseconds");
        }
        bans.remove(target);
        bans.put(target, new Ban(target, until, fields.get(3), fields.subList(4, fields.size())));
      }
      case "unban", "expire" -> {
        if (fields.size() != 2) {
          throw new IllegalArgumentException(
              event + " needs exactly a target (found " + (fields.size() - 1) + " fields)");
        }
        bans.remove(target(fields.get(1)));
      }
      default ->
          throw new IllegalArgumentException(
              "unknown event '" + event + "' (expected ban, unban or expire)");
    }
  }

  private static Cidr target(String text) {
    try {
      return Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "target '" + text + "' is not an address or CIDR block (" + e.getMessage() + ")");
    }
  }

  void appendBan(Ban ban) throws IOException {
    append(banLine(ban));
  }

  void appendUnban(Cidr target) throws IOException {
    append("unban\t" + target.shortText() + "\n");
  }

  void appendExpire(Collection<Ban> expired) throws IOException {
    StringBuilder text = new StringBuilder();
    for (Ban ban : expired) {
      text.append("expire\t").append(ban.target().shortText()).append('\n');
    }
    append(text.toString());
  }

  int lines() {
    return lines;
  }

  /** Replaces the file with one holding exactly {@code bans}, atomically. */
  void rewrite(Collection<Ban> bans) throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    for (Ban ban : bans) {
      text.append(banLine(ban));
    }
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      writeFully(ch, text.toString());
      ch.force(true);
    }
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(path + ": cannot rename " + tmp + " over it atomically", e);
    }
    // The rename is durable only once the directory entry is.
    try (FileChannel dir =
        FileChannel.open(path.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
    if (out != null) {
      out.close();
    }
    out = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    lines = bans.size() + 1;
  }

  private void append(String text) throws IOException {
    if (out == null) {
      throw new IOException(path + ": journal is closed");
    }
    writeFully(out, text);
    out.force(false);
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        lines++;
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (out != null) {
        out.close();
        out = null;
      }
    } finally {
      try {
        lock.release();
      } finally {
        lockChannel.close();
      }
    }
  }

  private static Path lockPath(Path path) {
    return path.resolveSibling(path.getFileName() + ".lock");
  }

  private static void writeFully(FileChannel ch, String text) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  static String banLine(Ban ban) {
    StringBuilder line =
        new StringBuilder("ban\t")
            .append(ban.target().shortText())
            .append('\t')
            .append(ban.until().toEpochMilli())
            .append('\t');
    escape(ban.reason(), line);
    for (String strike : ban.history()) {
      escape(strike, line.append('\t'));
    }
    return line.append('\n').toString();
  }

  private static void escape(String text, StringBuilder out) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\\' -> out.append("\\\\");
        default -> out.append(c);
      }
    }
  }

  private static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\t') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '\\') {
        if (i + 1 == line.length()) {
          throw new IllegalArgumentException("line ends inside an escape");
        }
        char e = line.charAt(++i);
        switch (e) {
          case 't' -> field.append('\t');
          case 'n' -> field.append('\n');
          case 'r' -> field.append('\r');
          case '\\' -> field.append('\\');
          default ->
              throw new IllegalArgumentException("unknown escape '\\" + e + "' at column " + i);
        }
      } else if (c < 0x20 || c == '\uFFFD') {
        throw new IllegalArgumentException(
            "control character or invalid UTF-8 at column " + (i + 1));
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }
}
