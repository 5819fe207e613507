package io.wssguard.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Replaces a file whole, so that a reader (or a crash) sees the old content or the new, never part
 * of it: a fresh temporary sibling, fsync, atomic rename over the file, fsync of the directory.
 *
 * <p>The files replaced this way (the ban journal, the rendered firewall rules) live in a state
 * directory that a root-run command may write, so the temporary name is never trusted: a leftover
 * of a crash, or anything planted there (a symbolic link included), is removed, never opened, and
 * the file is created with {@code CREATE_NEW} without following links.
 */
public final class AtomicFile {
  private static final Logger LOG = Logger.getLogger(AtomicFile.class.getName());

  /** What to do with the new file before it is renamed into place (give it an owner, say). */
  @FunctionalInterface
  public interface BeforeRename {
    BeforeRename NOTHING = tmp -> {};

    void prepare(Path tmp) throws IOException;
  }

  private AtomicFile() {}

  /**
   * Replaces {@code file} with {@code text} and returns the new file's channel, positioned at its
   * end and open for appends; the caller closes it.
   *
   * @param mode the new file's permissions (the umask still applies)
   */
  public static FileChannel replace(
      Path file, String text, FileAttribute<?> mode, BeforeRename beforeRename) throws IOException {
    return replace(file, text.getBytes(StandardCharsets.UTF_8), mode, beforeRename);
  }

  private static FileChannel replace(
      Path file, byte[] content, FileAttribute<?> mode, BeforeRename beforeRename)
      throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    FileChannel ch = createTemp(file, tmp, mode);
    try {
      beforeRename.prepare(tmp);
      ByteBuffer buf = ByteBuffer.wrap(content);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(file + ": cannot rename " + tmp + " over it atomically", e);
      }
      // The rename is durable only once the directory entry is.
      try (FileChannel d =
          FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
        d.force(true);
      }
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** {@link #replace} for a file that is written once and closed. */
  public static void write(Path file, String text, FileAttribute<?> mode) throws IOException {
    replace(file, text, mode, BeforeRename.NOTHING).close();
  }

  /** {@link #replace} for a binary file that is written once and closed. */
  public static void write(Path file, byte[] content, FileAttribute<?> mode) throws IOException {
    replace(file, content, mode, BeforeRename.NOTHING).close();
  }

  /** Writes all of {@code text} as UTF-8 at the channel's position. */
  public static void writeFully(FileChannel ch, String text) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static FileChannel createTemp(Path file, Path tmp, FileAttribute<?> mode)
      throws IOException {
    if (Files.deleteIfExists(tmp)) {
      LOG.warning(tmp + ": removed a leftover (not opened) before replacing " + file);
    }
    try {
      return FileChannel.open(
          tmp,
          Set.of(
              StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
          mode);
    } catch (FileAlreadyExistsException e) {
      throw new IOException(
          tmp + ": appeared again while replacing " + file + " (another writer?); not opened", e);
    }
  }
}
