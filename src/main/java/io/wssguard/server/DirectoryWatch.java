package io.wssguard.server;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Calls back once per burst of changes in one directory (a daemon thread): editors write a file in
 * several steps, so the callback runs once the directory has been quiet for a moment.
 */
final class DirectoryWatch implements AutoCloseable {
  private static final long SETTLE_MILLIS = 300;

  private final WatchService watcher;
  private final Runnable onChange;

  private DirectoryWatch(WatchService watcher, Runnable onChange) {
    this.watcher = watcher;
    this.onChange = onChange;
  }

  static DirectoryWatch start(Path dir, Runnable onChange) throws IOException {
    WatchService watcher = FileSystems.getDefault().newWatchService();
    dir.register(
        watcher,
        StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
    DirectoryWatch watch = new DirectoryWatch(watcher, onChange);
    Thread t = new Thread(watch::loop, "wssguard-policy-watch");
    t.setDaemon(true);
    t.start();
    return watch;
  }

  private void loop() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        key.pollEvents();
        key.reset();
        WatchKey more;
        while ((more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
          more.pollEvents();
          more.reset();
        }
        onChange.run();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed: stop watching
    }
  }

  @Override
  public void close() throws IOException {
    watcher.close();
  }
}
