package io.wssguard.ban;

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
 * The directory a ban journal (and the live baselines, anomaly.BaselineFiles) lives in, checked
 * before anything in it is opened: a directory that users other than its owner may write to (group
 * or world writable, without the sticky bit that stops them renaming or removing others' files) is
 * refused, since anyone there could swap the journal or its lock for a link between two of our
 * steps.
 *
 * <p>Its owner is the account the journal belongs to (the service's, {@code wssguard:wssguard} in
 * the packages). A file this process creates there and that came out with another owner (the CLI
 * run as root) is handed to that owner and group with {@code lchown}, so the service can still
 * write it after root has.
 */
public record JournalDirectory(Path path, UserPrincipal owner, GroupPrincipal group) {
  public static JournalDirectory check(Path dir) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
    if (view == null) {
      // No owners or modes to check (not a POSIX file system).
      return new JournalDirectory(dir, null, null);
    }
    PosixFileAttributes attributes = view.readAttributes();
    if (!attributes.isDirectory()) {
      throw new IOException(dir + ": not a directory");
    }
    Set<PosixFilePermission> mode = attributes.permissions();
    boolean othersWrite =
        mode.contains(PosixFilePermission.GROUP_WRITE)
            || mode.contains(PosixFilePermission.OTHERS_WRITE);
    if (othersWrite && !sticky(dir)) {
      throw new IOException(
          dir
              + ": writable by group or others ("
              + PosixFilePermissions.toString(mode)
              + ") without the sticky bit; refusing to keep a ban journal there (chmod go-w "
              + dir
              + ")");
    }
    return new JournalDirectory(dir, attributes.owner(), attributes.group());
  }

  private static boolean sticky(Path dir) throws IOException {
    Object mode = Files.getAttribute(dir, "unix:mode");
    return mode instanceof Integer m && (m & 01000) != 0;
  }

  /** Gives {@code created} (just made by this process) to the directory's owner and group. */
  void adopt(Path created) throws IOException {
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
