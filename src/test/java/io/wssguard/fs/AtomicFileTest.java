package io.wssguard.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
  private static final FileAttribute<?> MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  @TempDir Path dir;

  @Test
  void replacesTheContentWhole_andLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("rules");
    Files.writeString(file, "old rules, much longer than the new ones\n");
    AtomicFile.write(file, "new\n", MODE);
    assertEquals("new\n", Files.readString(file));
    assertFalse(Files.exists(dir.resolve("rules.tmp")));
  }

  @Test
  void aLinkPlantedAtTheTemporaryName_isRemoved_neverWrittenThrough() throws Exception {
    Path victim = dir.resolve("victim");
    Files.writeString(victim, "someone else's file\n");
    Path file = dir.resolve("journal");
    Files.createSymbolicLink(dir.resolve("journal.tmp"), victim);

    AtomicFile.write(file, "journal text\n", MODE);

    assertEquals("someone else's file\n", Files.readString(victim));
    assertEquals("journal text\n", Files.readString(file));
    assertFalse(Files.isSymbolicLink(file));
  }

  @Test
  void theReturnedChannel_appendsToTheNewFile() throws Exception {
    Path file = dir.resolve("journal");
    try (FileChannel ch =
        AtomicFile.replace(file, "head\n", MODE, AtomicFile.BeforeRename.NOTHING)) {
      AtomicFile.writeFully(ch, "appended\n");
    }
    assertEquals("head\nappended\n", Files.readString(file));
  }

  @Test
  void aFailureBeforeTheRename_keepsTheOldFile_andRemovesTheTemporary() throws Exception {
    Path file = dir.resolve("journal");
    Files.writeString(file, "old\n");
    IOException refused = new IOException("cannot chown");
    IOException thrown =
        assertThrows(
            IOException.class,
            () ->
                AtomicFile.replace(
                    file,
                    "new\n",
                    MODE,
                    tmp -> {
                      throw refused;
                    }));
    assertSame(refused, thrown);
    assertEquals("old\n", Files.readString(file));
    assertFalse(Files.exists(dir.resolve("journal.tmp")));
  }
}
