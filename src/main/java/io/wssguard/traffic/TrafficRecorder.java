package io.wssguard.traffic;

import io.wssguard.fs.StateDirectory;
import io.wssguard.time.Ticker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records the metadata of traffic (handshakes, frame headers, connection ends; never payload) to
 * rotating files in {@link TrafficFormat}, for {@code wssguard policy replay}.
 *
 * <p>IO threads only {@link RecordRing#offer} into a preallocated ring; one writer thread ({@code
 * wssguard-record}) encodes and writes. When the ring is full (the disk is slow or full) a record
 * is dropped and counted ({@link #dropped()}), so recording can never stall the relay. Files are
 * written with mode 0640 (they hold addresses and header values) and the oldest are deleted so that
 * the directory stays within {@code maxBytes}.
 */
public final class TrafficRecorder implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TrafficRecorder.class.getName());

  /** Who closed a connection first, as written in an end record. */
  public static final int CLOSED_BY_CLIENT = 0;

  public static final int CLOSED_BY_BACKEND = 1;
  public static final int CLOSED_BY_PROXY = 2;

  /** The ring's slots: enough for a few hundred milliseconds of a busy proxy's frames. */
  public static final int DEFAULT_CAPACITY = 1 << 16;

  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int BUFFER_BYTES = 64 * 1024;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final double sample;
  private final Ticker ticker;
  private final RecordRing ring;
  private final long runId = new SecureRandom().nextLong();
  private final long baseNanos;
  private final long baseEpochMs;
  private final AtomicLong connections = new AtomicLong();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final RecordRing.Consumer writeRecord = this::write;
  private volatile boolean closing;
  private Thread writer;

  // The writer's own state.
  private final ByteBuffer record = ByteBuffer.allocate(TrafficFormat.MAX_RECORD_BYTES);
  private final ByteBuffer out = ByteBuffer.allocate(BUFFER_BYTES);
  private FileChannel file;
  private long fileBytes;
  private int buffered;
  private int sequence;
  private long lastMs;
  private boolean failing;
  private long failedUntilNanos;
  private boolean failureLogged;

  /**
   * @param maxBytes the most the directory's recording files may hold together
   * @param segmentBytes the size at which a file is closed and the next begun
   * @param sample the share of connections recorded, 0 < sample <= 1
   * @param capacity the ring's slots
   */
  public TrafficRecorder(
      Path dir, long maxBytes, long segmentBytes, double sample, int capacity, Ticker ticker) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.sample = sample;
    this.ticker = ticker;
    this.ring = new RecordRing(capacity);
    this.baseNanos = ticker.nanos();
    this.baseEpochMs = ticker.instant().toEpochMilli();
  }

  /** A recorder for the {@code record} block: files of an eighth of {@code maxBytes}. */
  public static TrafficRecorder start(Path dir, long maxBytes, double sample) {
    long segment = Math.max(64 * 1024, Math.min(64L << 20, maxBytes / 8));
    TrafficRecorder r =
        new TrafficRecorder(dir, maxBytes, segment, sample, DEFAULT_CAPACITY, Ticker.system());
    r.start();
    return r;
  }

  /**
   * Creates the directory (0750) if need be, checks it ({@link StateDirectory#checkPrivate}: the
   * recording holds addresses and header values, and nobody else may swap its files) and starts the
   * writer thread.
   */
  public void start() {
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir, permissions("rwxr-x---"));
      }
      StateDirectory.checkPrivate(dir, "a traffic recording");
    } catch (IOException e) {
      throw new UncheckedIOException("record.dir " + dir + ": " + e.getMessage(), e);
    }
    writer = new Thread(this::run, "wssguard-record");
    writer.setDaemon(true);
    writer.start();
  }

  /** Whether to record a new connection ({@code sample} of them, chosen at random). */
  public boolean sampled() {
    return sample >= 1.0 || ThreadLocalRandom.current().nextDouble() < sample;
  }

  /** Records a handshake; returns its connection number, for {@link #connection}. */
  public long handshake(RecordedHandshake h) {
    long conn = connections.incrementAndGet();
    offer(TrafficFormat.HANDSHAKE, conn, 0, h);
    return conn;
  }

  /** The taps that record the frames and the end of connection {@code conn}. */
  public ConnectionTap connection(long conn) {
    return new ConnectionTap(this, conn);
  }

  void frame(long conn, int flags, long size) {
    offer(TrafficFormat.FRAME | (flags << 8), conn, size, null);
  }

  void end(long conn, int who, int code) {
    offer(TrafficFormat.END | (who << 8), conn, code, null);
  }

  private void offer(int typeAndFlags, long conn, long value, Object ref) {
    if (!ring.offer(typeAndFlags, conn, ticker.nanos(), value, ref)) {
      dropped.increment();
    }
  }

  /** Records dropped because the ring was full or the disk failed. */
  public long dropped() {
    return dropped.sum();
  }

  /** Records written to a file. */
  public long written() {
    return written.sum();
  }

  // ---- the writer thread ----

  private void run() {
    while (true) {
      boolean closingNow = closing;
      drain();
      if (closingNow) {
        closeFile();
        return;
      }
      LockSupport.parkNanos(IDLE_PARK_NANOS);
    }
  }

  /** Writes every queued record and flushes them to the file. */
  private void drain() {
    boolean any = false;
    while (ring.poll(writeRecord)) {
      any = true;
    }
    if (any) {
      try {
        flush();
      } catch (IOException e) {
        failed(e, 0);
      }
    }
  }

  private void write(long typeAndFlags, long conn, long nanos, long value, Object ref) {
    if (file == null && !openNext(nanos)) {
      dropped.increment();
      return;
    }
    long ms = baseEpochMs + Math.floorDiv(nanos - baseNanos, 1_000_000L);
    encode(typeAndFlags, conn, ms, value, ref);
    try {
      if (fileBytes + record.remaining() > segmentBytes && fileBytes > TrafficFormat.HEADER_BYTES) {
        closeFile();
        if (!openNext(nanos)) {
          dropped.increment();
          return;
        }
        encode(typeAndFlags, conn, ms, value, ref);
      }
      if (out.remaining() < record.remaining()) {
        flush();
      }
      fileBytes += record.remaining();
      out.put(record);
      buffered++;
    } catch (IOException e) {
      failed(e, 1);
    }
  }

  private void encode(long typeAndFlags, long conn, long ms, long value, Object ref) {
    long dt = Math.max(0, ms - lastMs);
    lastMs += dt;
    int flags = (int) (typeAndFlags >>> 8) & 0xFF;
    record.clear();
    switch ((int) (typeAndFlags & 0xFF)) {
      case TrafficFormat.HANDSHAKE ->
          TrafficFormat.handshake(record, dt, conn, (RecordedHandshake) ref);
      case TrafficFormat.FRAME -> TrafficFormat.frame(record, dt, conn, flags, value);
      default -> TrafficFormat.end(record, dt, conn, flags, (int) value);
    }
    record.flip();
  }

  /** Opens the next file (unless the disk failed within the last second); false when it cannot. */
  private boolean openNext(long nanos) {
    if (failing && nanos - failedUntilNanos < 0) {
      return false;
    }
    long startMs = baseEpochMs + Math.floorDiv(nanos - baseNanos, 1_000_000L);
    Path next = dir.resolve(TrafficFormat.fileName(startMs, ++sequence));
    try {
      prune();
      file =
          FileChannel.open(
              next,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              permissions("rw-r-----"));
      out.clear();
      TrafficFormat.header(out, runId, startMs);
      fileBytes = TrafficFormat.HEADER_BYTES;
      lastMs = startMs;
      return true;
    } catch (IOException e) {
      failed(e, 0);
      return false;
    }
  }

  /**
   * Deletes the oldest recording files until the others and a whole new file fit in {@code
   * maxBytes}.
   */
  private void prune() throws IOException {
    List<Path> files = TrafficReader.files(dir);
    List<Long> sizes = new ArrayList<>();
    long total = 0;
    for (Path f : files) {
      long size = Files.size(f);
      sizes.add(size);
      total += size;
    }
    for (int i = 0; i < files.size() && total + segmentBytes > maxBytes; i++) {
      Files.deleteIfExists(files.get(i));
      total -= sizes.get(i);
    }
  }

  private void flush() throws IOException {
    out.flip();
    while (out.hasRemaining()) {
      file.write(out);
    }
    out.clear();
    written.add(buffered);
    buffered = 0;
  }

  private void closeFile() {
    if (file == null) {
      return;
    }
    try {
      flush();
      file.close();
    } catch (IOException e) {
      failed(e, 0);
    }
    file = null;
  }

  /**
   * The disk refused a write: what is buffered is lost and counted, the file closed; the next file
   * is tried after a second.
   */
  private void failed(IOException e, int records) {
    if (!failureLogged) {
      failureLogged = true;
      LOG.log(Level.WARNING, "recording to " + dir + " failed; dropping records: " + e, e);
    }
    dropped.add(records + buffered);
    buffered = 0;
    out.clear();
    try {
      if (file != null) {
        file.close();
      }
    } catch (IOException ignored) {
      // already failing: the file is given up either way
    }
    file = null;
    failing = true;
    failedUntilNanos = ticker.nanos() + RETRY_NANOS;
  }

  private static FileAttribute<?>[] permissions(String mode) {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))
    };
  }

  /**
   * Stops the writer after it has written what is queued, and closes the file. Without a writer
   * thread (a test), writes the queue on the calling thread.
   */
  @Override
  public void close() {
    closing = true;
    if (writer == null) {
      drain();
      closeFile();
      return;
    }
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
