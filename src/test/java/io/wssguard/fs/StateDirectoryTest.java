package io.wssguard.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
  @TempDir Path dir;

  private Path directory(String name, String mode) throws IOException {
    Path d = Files.createDirectory(dir.resolve(name));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
    return d;
  }

  private static String refusal(Path d) {
    return assertThrows(IOException.class, () -> StateDirectory.checkPrivate(d, "a recording"))
        .getMessage();
  }

  @Test
  void checkPrivate_acceptsADirectoryOnlyItsOwnerWrites() throws IOException {
    Path d = directory("traffic", "rwxr-x---");
    assertEquals(d, StateDirectory.checkPrivate(d, "a recording").path());
  }

  @Test
  void checkPrivate_refusesAGroupOrWorldWritableDirectory_evenSticky() throws IOException {
    Path d = directory("traffic", "rwxrwx---");
    assertEquals(
        d
            + ": writable by group or others (rwxrwx---); refusing to keep a recording there"
            + " (chmod go-w "
            + d
            + ")",
        refusal(d));
    Path tmp = directory("tmp", "rwxrwxrwx");
    Files.setAttribute(tmp, "unix:mode", 01777);
    assertEquals(
        tmp
            + ": writable by group or others (rwxrwxrwx); refusing to keep a recording there"
            + " (chmod go-w "
            + tmp
            + ")",
        refusal(tmp));
  }

  @Test
  void checkPrivate_refusesASymbolicLink_evenToAGoodDirectory() throws IOException {
    Path target = directory("real", "rwx------");
    Path link = Files.createSymbolicLink(dir.resolve("traffic"), target);
    assertEquals(
        link
            + ": a symbolic link; refusing to keep a recording there (name the directory it points"
            + " to)",
        refusal(link));
  }

  @Test
  void checkPrivate_refusesADirectoryOwnedBySomeoneElse() throws IOException {
    assumeTrue(new UnixSystem().getUid() == 0, "only root can give a directory away");
    Path d = directory("traffic", "rwx------");
    Files.setAttribute(d, "unix:uid", 4321, LinkOption.NOFOLLOW_LINKS);
    assertEquals(
        d
            + ": owned by 4321 (uid 4321), not by the user wssguard runs as (uid 0); refusing to"
            + " keep a recording there (chown it to that user, or run wssguard as its owner)",
        refusal(d));
  }
}
