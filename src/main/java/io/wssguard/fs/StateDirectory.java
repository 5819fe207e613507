package io.wssguard.fs;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * A directory wssguard keeps state in, checked before anything in it is opened.
 *
 * <p>{@link #check} (the ban journal's and the live baselines'): a directory that users other than
 * its owner may write to (group or world writable, without the sticky bit that stops them renaming
 * or removing others' files) is refused, since anyone there could swap a file or its lock for a
 * link between two of our steps. Its owner is the account the files belong to (the service's,
 * {@code wssguard:wssguard} in the packages). A file this process creates there and that came out
 * with another owner (the CLI run as root) is handed to that owner and group with {@code lchown},
 * so the service can still write it after root has.
 *
 * <p>{@link #checkPrivate} (the traffic recording's, written only by the proxy): stricter, the
 * directory itself is not a symbolic link, nobody but its owner may write to it (sticky or not),
 * and its owner is the user this process runs as.
 */
public record StateDirectory(Path path, UserPrincipal owner, GroupPrincipal group) {
  /**
   * Checks {@code dir} for keeping {@code what} (e.g. {@code a ban journal}) in it.
   *
   * @throws IOException naming the directory, what is wrong and how to fix it
   */
  public static StateDirectory check(Path dir, String what) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
    if (view == null) {
      // No owners or modes to check (not a POSIX file system).
      return new StateDirectory(dir, null, null);
    }
    PosixFileAttributes attributes = view.readAttributes();
    if (!attributes.isDirectory()) {
      throw new IOException(dir + ": not a directory");
    }
    if (othersWrite(attributes) && !sticky(dir)) {
      throw new IOException(
          dir
              + ": writable by group or others ("
              + PosixFilePermissions.toString(attributes.permissions())
              + ") without the sticky bit; refusing to keep "
              + what
              + " there (chmod go-w "
              + dir
              + ")");
    }
    return new StateDirectory(dir, attributes.owner(), attributes.group());
  }

  /**
   * Checks {@code dir}, which only this process writes, for keeping {@code what} in it.
   *
   * @throws IOException naming the directory, what is wrong and how to fix it
   */
  public static StateDirectory checkPrivate(Path dir, String what) throws IOException {
    PosixFileAttributeView view =
        Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return new StateDirectory(dir, null, null);
    }
    PosixFileAttributes attributes = view.readAttributes();
    String refusing = "; refusing to keep " + what + " there";
    if (attributes.isSymbolicLink()) {
      throw new IOException(
          dir + ": a symbolic link" + refusing + " (name the directory it points to)");
    }
    if (!attributes.isDirectory()) {
      throw new IOException(dir + ": not a directory");
    }
    if (othersWrite(attributes)) {
      throw new IOException(
          dir
              + ": writable by group or others ("
              + PosixFilePermissions.toString(attributes.permissions())
              + ")"
              + refusing
              + " (chmod go-w "
              + dir
              + ")");
    }
    Object uid = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    long mine = new UnixSystem().getUid();
    if (!(uid instanceof Integer u) || u != mine) {
      throw new IOException(
          dir
              + ": owned by "
              + attributes.owner().getName()
              + " (uid "
              + uid
              + "), not by the user wssguard runs as (uid "
              + mine
              + ")"
              + refusing
              + " (chown it to that user, or run wssguard as its owner)");
    }
    return new StateDirectory(dir, attributes.owner(), attributes.group());
  }

  private static boolean othersWrite(PosixFileAttributes attributes) {
    Set<PosixFilePermission> mode = attributes.permissions();
    return mode.contains(PosixFilePermission.GROUP_WRITE)
        || mode.contains(PosixFilePermission.OTHERS_WRITE);
  }

  private static boolean sticky(Path dir) throws IOException {
    Object mode = Files.getAttribute(dir, "unix:mode");
    return mode instanceof Integer m && (m & 01000) != 0;
  }

  /** Gives {@code created} (just made by this process) to the directory's owner and group. */
  public void adopt(Path created) throws IOException {
    if (owner == null) {
      return;
    }
    PosixFileAttributeView view =
        Files.getFileAttributeView(
            created, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    PosixFileAttributes attributes = view.readAttributes();
    if (attributes.owner().equals(owner)) {
      return;
    }
    try {
      view.setOwner(owner);
      view.setGroup(group);
    } catch (IOException e) {
      throw new IOException(
          created
              + ": cannot give it to "
              + owner.getName()
              + ":"
              + group.getName()
              + ", the owner of "
              + path
              + " ("
              + e.getMessage()
              + "); run as that user",
          e);
    }
  }
}
