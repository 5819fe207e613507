package io.wssguard.ban;

import io.wssguard.fs.AtomicFile;
import io.wssguard.fs.StateDirectory;
import io.wssguard.net.Cidr;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The ban list on disk: an append-only text file, one event a line, each line forced to disk before
 * the change it records is reported done. Replaying the lines in order gives the ban list.
 *
 * <pre>
 * # wssguard bans v2
 * ban&lt;TAB&gt;203.0.113.7&lt;TAB&gt;1767225600000&lt;TAB&gt;reason&lt;TAB&gt;strike 1&lt;TAB&gt;strike 2 ...&lt;TAB&gt;started=1767224700000&lt;TAB&gt;by=strikes
 * unban&lt;TAB&gt;203.0.113.0/24
 * expire&lt;TAB&gt;198.51.100.7
 * </pre>
 *
 * A {@code ban} line states the whole ban (an extended ban is written again), {@code until} is
 * epoch milliseconds, and tab, newline, carriage return and backslash inside text are written
 * {@code \t \n \r \\}. The last two fields are when the ban began, {@code started=} epoch
 * milliseconds or {@code ?} when unknown, and who made it, {@code by=} (empty when unknown); they
 * are last so that a version 1 reader (an older wssguard, after a downgrade) takes them for two
 * more strikes and keeps every ban. A version 1 journal (neither field) is read too, both unknown,
 * and rewritten as version 2 when opened. A line is complete only with its newline: a crash in the
 * middle of an append leaves a last line without one (or with garbage), and that line alone is
 * skipped with a warning. Any other bad line makes the journal <em>damaged</em>: {@link #open}
 * keeps every valid line, moves the file aside to {@code <journal>.damaged-<UTC time>} for the
 * operator, names each skipped line as {@code file:line} in one error, and writes a fresh journal,
 * so a damaged file never keeps the proxy down (it would otherwise exit and be restarted by systemd
 * forever).
 *
 * <p>The directory belongs to the service account, and {@code wssguard ban} may run as root, so no
 * name in it is trusted: nothing is opened through a symbolic link ({@code NOFOLLOW_LINKS}), the
 * temporary file is created fresh ({@code CREATE_NEW}) and then kept open for the appends (the
 * journal is never reopened by name), and a directory that others may write to (group or world
 * writable without the sticky bit) is refused. Files created by a process that is not the
 * directory's owner (root) are given to the owner and group of the directory, so the service can
 * still write them; a file that was already there is never chowned (it could be a hard link).
 *
 * <p>The file is rewritten to the active set (temporary file, fsync, atomic rename, fsync of the
 * directory) when it is opened and when it has grown to many more lines than there are bans. One
 * process at a time may write: a lock on {@code <journal>.lock} is held while open, because a
 * second writer's rename would leave the first appending to a file nobody reads.
 */
final class BanJournal implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BanJournal.class.getName());
  static final String HEADER = "# wssguard bans v2";
  private static final String HEADER_V1 = "# wssguard bans v1";
  private static final String STARTED = "started=";
  private static final String BY = "by=";

  private static final DateTimeFormatter ASIDE_TIME =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final FileAttribute<?> MODE_0640 =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----"));

  private final Path path;
  private final StateDirectory dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel out;
  private int lines;
  private Replay opened = new Replay(new LinkedHashMap<>(), List.of());
  private Path damagedCopy;

  private BanJournal(Path path, StateDirectory dir, FileChannel lockChannel, FileLock lock) {
    this.path = path;
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * What a replay found: the bans, and the bad lines other than an interrupted last one, each as
   * {@code file:line: what is wrong}.
   */
  record Replay(Map<Cidr, Ban> bans, List<String> damage) {}

  /** Locks the journal, replays it, and rewrites it to the bans active at {@code now}. */
  static BanJournal open(Path path, Instant now, Map<Cidr, Ban> into) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    StateDirectory dir = StateDirectory.check(parent, "a ban journal");
    FileChannel lockChannel = openLock(lockPath(path), dir);
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
    BanJournal journal = new BanJournal(path, dir, lockChannel, lock);
    try {
      Replay replay = replay(path);
      Map<Cidr, Ban> replayed = replay.bans();
      replayed.values().removeIf(ban -> !ban.activeAt(now));
      into.putAll(replayed);
      if (!replay.damage().isEmpty()) {
        journal.damagedCopy = moveAside(path, now);
        LOG.severe(
            path
                + ": ban journal is DAMAGED; skipped "
                + replay.damage().size()
                + " line(s): "
                + String.join("; ", replay.damage())
                + ". Kept the "
                + replayed.size()
                + " active ban(s) of the valid lines, moved the damaged file to "
                + journal.damagedCopy
                + " and wrote a fresh journal");
      }
      journal.opened = replay;
      journal.rewrite(replayed.values());
      return journal;
    } catch (IOException | RuntimeException e) {
      journal.close();
      throw e;
    }
  }

  /**
   * The bans a journal holds, in the order first banned, and its damaged lines; does not lock or
   * change the file. A symbolic link is refused, not followed.
   */
  static Replay replay(Path path) throws IOException {
    Map<Cidr, Ban> bans = new LinkedHashMap<>();
    List<String> damage = new ArrayList<>();
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return new Replay(bans, damage);
    }
    if (attributes.isSymbolicLink()) {
      throw new IOException(path + ": is a symbolic link; refusing to follow it (remove it)");
    }
    if (!attributes.isRegularFile()) {
      throw new IOException(path + ": not a regular file");
    }
    String text;
    try (FileChannel in =
        FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      text = new String(readFully(in), StandardCharsets.UTF_8);
    }
    int lineNo = 0;
    int start = 0;
    boolean formatTwo = false;
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
      if (line.equals(HEADER) || line.equals(HEADER_V1)) {
        formatTwo = line.equals(HEADER);
        continue;
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        apply(line, bans, formatTwo);
      } catch (IllegalArgumentException e) {
        String where = path + ":" + lineNo + ": ";
        if (last && damage.isEmpty()) {
          LOG.warning(
              where + e.getMessage() + "; it is the last line (an interrupted write?), skipped");
          break;
        }
        damage.add(where + e.getMessage());
      }
    }
    return new Replay(bans, damage);
  }

  /** The bad lines {@link #open} skipped (empty for a sound journal). */
  List<String> damage() {
    return opened.damage();
  }

  /** Where {@link #open} moved a damaged journal, or null. */
  Path damagedCopy() {
    return damagedCopy;
  }

  /**
   * Applies one line; {@code formatTwo}: the journal is version 2, its ban lines end with {@code
   * started=} and {@code by=}.
   */
  private static void apply(String line, Map<Cidr, Ban> bans, boolean formatTwo) {
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
        if (formatTwo && fields.size() < 6) {
          throw new IllegalArgumentException(
              "ban needs started= and by= as its last fields after the reason (found "
                  + (fields.size() - 1)
                  + " fields)");
        }
        int historyEnd = formatTwo ? fields.size() - 2 : fields.size();
        Instant started = formatTwo ? started(fields.get(historyEnd)) : null;
        String by = formatTwo ? by(fields.get(historyEnd + 1)) : null;
        bans.remove(target);
        bans.put(
            target,
            new Ban(target, until, fields.get(3), fields.subList(4, historyEnd), started, by));
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

  /** The next-to-last field of a version 2 ban line: {@code started=<epoch ms>} or {@code ?}. */
  private static Instant started(String field) {
    String value = field.startsWith(STARTED) ? field.substring(STARTED.length()) : null;
    if ("?".equals(value)) {
      return null;
    }
    try {
      return Instant.ofEpochMilli(Long.parseLong(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "field '" + field + "' (expected: started=<epoch milliseconds> or started=?)");
    }
  }

  /** The last field of a version 2 ban line: {@code by=<who>}, empty when unknown. */
  private static String by(String field) {
    if (!field.startsWith(BY)) {
      throw new IllegalArgumentException("last field '" + field + "' (expected: by=<who made it>)");
    }
    return field.length() == BY.length() ? null : field.substring(BY.length());
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

  /**
   * Replaces the file with one holding exactly {@code bans}, atomically. The new file is created
   * fresh under a temporary name and stays open for the appends that follow.
   */
  void rewrite(Collection<Ban> bans) throws IOException {
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    for (Ban ban : bans) {
      text.append(banLine(ban));
    }
    FileChannel ch = AtomicFile.replace(path, text.toString(), MODE_0640, dir::adopt);
    if (out != null) {
      out.close();
    }
    out = ch;
    lines = bans.size() + 1;
  }

  /**
   * The lock file: created new (and given to the directory's owner) or, when it exists, opened
   * without following a link and without being changed.
   */
  private static FileChannel openLock(Path lock, StateDirectory dir) throws IOException {
    try {
      FileChannel ch =
          FileChannel.open(
              lock,
              Set.of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              MODE_0640);
      try {
        dir.adopt(lock);
      } catch (IOException e) {
        ch.close();
        throw e;
      }
      return ch;
    } catch (FileAlreadyExistsException e) {
      // An existing lock file is fine; a link there is not.
    }
    if (Files.isSymbolicLink(lock)) {
      throw new IOException(
          lock
              + ": is a symbolic link, not a lock file; refusing to follow it (remove it if you did"
              + " not make it)");
    }
    try {
      return FileChannel.open(lock, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (FileSystemException e) {
      throw new IOException(lock + ": cannot open the lock file: " + e.getMessage(), e);
    }
  }

  /** Renames a damaged journal to {@code <journal>.damaged-<UTC time>[-n]}, never replacing one. */
  private static Path moveAside(Path path, Instant now) throws IOException {
    String base = path.getFileName() + ".damaged-" + ASIDE_TIME.format(now);
    for (int n = 1; ; n++) {
      Path aside = path.resolveSibling(n == 1 ? base : base + "-" + n);
      try {
        return Files.move(path, aside);
      } catch (FileAlreadyExistsException e) {
        if (n == 100) {
          throw e;
        }
      }
    }
  }

  private void append(String text) throws IOException {
    if (out == null) {
      throw new IOException(path + ": journal is closed");
    }
    AtomicFile.writeFully(out, text);
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

  private static byte[] readFully(FileChannel in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    while (in.read(buf) >= 0) {
      bytes.write(buf.array(), 0, buf.position());
      buf.clear();
    }
    return bytes.toByteArray();
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
    line.append('\t').append(STARTED);
    if (ban.started() == null) {
      line.append('?');
    } else {
      line.append(ban.started().toEpochMilli());
    }
    escape(ban.by() == null ? "" : ban.by(), line.append('\t').append(BY));
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
