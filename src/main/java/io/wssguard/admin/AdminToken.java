package io.wssguard.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The admin API's bearer token and its file: read it (the proxy at start, the CLI when it talks to
 * the API), or create it at first start.
 *
 * <p>A created token is 32 bytes from {@link SecureRandom}, written as 64 hex digits. The file is
 * created with mode 0600 in the same system call that creates it ({@code O_CREAT|O_EXCL} with the
 * mode), so it is never readable by others, not even for a moment; its directory, when missing, is
 * created 0700. Neither read nor create follows a symbolic link: a link planted at the token's path
 * would otherwise let whoever planted it choose the file wssguard reads or writes.
 */
public final class AdminToken {
  private static final Logger LOG = Logger.getLogger(AdminToken.class.getName());

  /** A token file is one line; anything much longer is not one. */
  private static final int MAX_FILE_BYTES = 4096;

  private static final int RANDOM_BYTES = 32;

  private final byte[] token;

  private AdminToken(String text) {
    this.token = text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The token in {@code file}, created there first when it does not exist.
   *
   * @throws IOException the file cannot be created or read, is a symbolic link, or is empty
   */
  public static AdminToken loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      try {
        create(file);
        LOG.info("admin token generated in " + file + " (mode 0600)");
      } catch (FileAlreadyExistsException e) {
        // Another process created it first: use theirs.
      }
    }
    return new AdminToken(read(file));
  }

  /**
   * The token text in {@code file} (surrounding white space removed).
   *
   * @throws IOException unreadable, a symbolic link, not a regular file, empty or over 4 KiB
   */
  public static String read(Path file) throws IOException {
    byte[] bytes;
    try (SeekableByteChannel ch =
            Files.newByteChannel(
                file, Set.<OpenOption>of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        InputStream in = Channels.newInputStream(ch)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      if (Files.isSymbolicLink(file)) {
        throw new IOException(
            "admin token file " + file + " is a symbolic link (refused: it could point anywhere)",
            e);
      }
      throw e;
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("admin token file " + file + " is not a regular file");
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new IOException(
          "admin token file "
              + file
              + " is over "
              + MAX_FILE_BYTES
              + " bytes (expected: one line)");
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      throw new IOException("admin token file " + file + " is empty");
    }
    warnIfOthersCanRead(file);
    return text;
  }

  /** Whether an {@code Authorization} header value carries this token (constant-time compare). */
  public boolean matches(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }

  private static void create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      Files.createDirectories(
          dir,
          PosixFilePermissions.asFileAttribute(
              EnumSet.of(
                  PosixFilePermission.OWNER_READ,
                  PosixFilePermission.OWNER_WRITE,
                  PosixFilePermission.OWNER_EXECUTE)));
    }
    byte[] random = new byte[RANDOM_BYTES];
    new SecureRandom().nextBytes(random);
    byte[] text = (HexFormat.of().formatHex(random) + "\n").getBytes(StandardCharsets.US_ASCII);
    // CREATE_NEW is O_EXCL: it fails on anything already there, a symbolic link included.
    try (SeekableByteChannel ch =
        Files.newByteChannel(
            file,
            Set.<OpenOption>of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(
                EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)))) {
      ByteBuffer buffer = ByteBuffer.wrap(text);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
    }
  }

  private static void warnIfOthersCanRead(Path file) {
    try {
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      if (mode.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warning(
            "admin token file "
                + file
                + " is readable by every local user (mode "
                + PosixFilePermissions.toString(mode)
                + "): chmod 0600 it");
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not a POSIX file system: nothing to check
    }
  }
}
