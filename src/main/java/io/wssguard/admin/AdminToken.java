package io.wssguard.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
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

  /** A token file the configuration names, without {@code generateToken: true}, is missing. */
  private static final String NOT_PROVIDED =
      "not found (expected: the token you put there, or admin.generateToken: true to have one"
          + " generated at start)";

  private final byte[] token;

  private AdminToken(String text) {
    this.token = text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The token in {@code file}. A missing file is created first when {@code generate} ({@code
   * admin.generateToken}); otherwise it is a token the operator provides, and its absence is an
   * error.
   *
   * @throws AdminTokenException the file is missing (and not to be generated), cannot be created or
   *     read, is a symbolic link, or holds no token
   */
  public static AdminToken load(Path file, boolean generate) throws AdminTokenException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      if (!generate) {
        throw notProvided(file);
      }
      try {
        create(file);
        LOG.info("admin token generated in " + file + " (mode 0600)");
      } catch (FileAlreadyExistsException e) {
        // Another process created it first: use theirs.
      } catch (IOException e) {
        throw new AdminTokenException(file, "cannot be created: " + e.getMessage(), e);
      }
    }
    String text = read(file);
    String exposure = exposure(file);
    if (exposure != null) {
      LOG.warning("admin token file " + file + " " + exposure);
    }
    return new AdminToken(text);
  }

  /** What {@link #load} says of a missing token file that is not to be generated. */
  public static AdminTokenException notProvided(Path file) {
    return new AdminTokenException(file, NOT_PROVIDED);
  }

  /**
   * The token text in {@code file} (surrounding white space removed). Says nothing of its mode:
   * {@link #load} warns about that at start, {@link #exposure} tells.
   *
   * @throws AdminTokenException missing, unreadable, a symbolic link, not a regular file, empty or
   *     over 4 KiB
   */
  public static String read(Path file) throws AdminTokenException {
    byte[] bytes;
    try (SeekableByteChannel ch =
            Files.newByteChannel(
                file, Set.<OpenOption>of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        InputStream in = Channels.newInputStream(ch)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new AdminTokenException(file, "not found", e);
    } catch (AccessDeniedException e) {
      throw new AdminTokenException(file, "unreadable: permission denied", e);
    } catch (IOException e) {
      if (Files.isSymbolicLink(file)) {
        throw new AdminTokenException(
            file, "is a symbolic link (refused: it could point anywhere)", e);
      }
      throw new AdminTokenException(file, "unreadable: " + e.getMessage(), e);
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new AdminTokenException(file, "is not a regular file");
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new AdminTokenException(
          file, "is over " + MAX_FILE_BYTES + " bytes (expected: one line)");
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      throw new AdminTokenException(file, "is empty");
    }
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

  /** Whether {@code other} is the same token (a reload that did not rotate it). */
  public boolean sameAs(AdminToken other) {
    return other != null && MessageDigest.isEqual(token, other.token);
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

  /**
   * What is wrong with who may read {@code file}, e.g. {@code is readable by every local user (mode
   * rw-r--r--): chmod 0600 it}, or {@code null} when only its owner and group can.
   */
  public static String exposure(Path file) {
    try {
      Set<PosixFilePermission> mode =
          Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      if (mode.contains(PosixFilePermission.OTHERS_READ)) {
        return "is readable by every local user (mode "
            + PosixFilePermissions.toString(mode)
            + "): chmod 0600 it";
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not a POSIX file system: nothing to check
    }
    return null;
  }
}
