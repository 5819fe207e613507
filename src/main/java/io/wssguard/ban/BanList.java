package io.wssguard.ban;

import io.wssguard.net.Cidr;
import io.wssguard.net.PrefixIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The banned sources: asked on every accepted connection, changed rarely.
 *
 * <p>Reads take no lock: writers (all {@code synchronized}) build an immutable {@link Snapshot} — a
 * {@link PrefixIndex} of the bans — and publish it through one {@code volatile} field. A read is
 * one hash probe per prefix length in use, longest first, so it costs the same with ten bans or a
 * hundred thousand; an expired ban that {@link #expire} has not yet removed is already ignored by
 * the read.
 *
 * <p>Every change is forced to the {@link BanJournal} before the call returns. If the disk fails,
 * the change still takes effect in memory (a ban that cannot be saved is better enforced than
 * dropped) and the call throws {@link UncheckedIOException} so the caller knows it will not survive
 * a restart.
 *
 * <p>Blocks that overlap a never-ban block (the operator's allow list, loopback, the health
 * checker) are refused. Banning a target that is already banned extends that ban and appends to its
 * history.
 */
public final class BanList implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BanList.class.getName());

  /** Strikes kept per ban; older ones are dropped when a ban is extended again and again. */
  static final int MAX_HISTORY = 32;

  /** Longest ban: about 100 years, so {@code now + duration} cannot overflow {@link Instant}. */
  static final Duration MAX_DURATION = Duration.ofDays(36_500);

  static final int DEFAULT_COMPACT_AFTER = 1000;

  /**
   * Orders bans for listings and renderers: IPv4 first, then by address, then wider blocks first.
   */
  public static final Comparator<Ban> ORDER =
      Comparator.comparing(Ban::target, BanList::compareCidr);

  private final BanJournal journal;
  private volatile NeverBan neverBan;
  private final InstantSource clock;
  private final int compactAfter;
  private final Map<Cidr, Ban> bans = new HashMap<>();
  private final List<Consumer<List<Ban>>> listeners = new CopyOnWriteArrayList<>();
  private final Object notifyLock = new Object();
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private BanCap cap = new BanCap(BanCap.DEFAULT_MAX);
  private boolean closed;

  private BanList(BanJournal journal, List<Cidr> neverBan, InstantSource clock, int compactAfter) {
    this.journal = journal;
    this.neverBan = NeverBan.of(neverBan);
    this.clock = clock;
    this.compactAfter = compactAfter;
  }

  /**
   * Opens (or creates) the journal, replays it and compacts it. Bans in the journal that overlap
   * {@code neverBan} (the allow list may have grown since) are dropped with a warning.
   *
   * <p>A damaged journal (a malformed line other than the last) does not stop it: the valid lines
   * are kept, the file is moved aside and a fresh one written (see {@link #journalDamage}).
   *
   * @throws IOException the journal cannot be read or written, another process has it open, or a
   *     name in its directory is a symbolic link or the directory is writable by others (the
   *     message names the file and what is wrong)
   */
  public static BanList open(Path journal, List<Cidr> neverBan) throws IOException {
    return open(journal, neverBan, InstantSource.system(), DEFAULT_COMPACT_AFTER);
  }

  static BanList open(Path journal, List<Cidr> neverBan, InstantSource clock, int compactAfter)
      throws IOException {
    Map<Cidr, Ban> replayed = new HashMap<>();
    BanJournal file = BanJournal.open(journal, clock.instant(), replayed);
    BanList list = new BanList(file, neverBan, clock, compactAfter);
    int dropped = 0;
    for (Ban ban : replayed.values()) {
      Cidr protectedBy = list.neverBan.protecting(ban.target());
      if (protectedBy != null) {
        LOG.warning(
            "ban of "
                + ban.target().shortText()
                + " from "
                + journal
                + " dropped: it overlaps never-ban "
                + protectedBy.shortText());
        dropped++;
      } else {
        list.bans.put(ban.target(), ban);
      }
    }
    if (dropped > 0) {
      file.rewrite(list.sorted(list.bans.values()));
    }
    list.publish();
    return list;
  }

  /**
   * What a journal holds, read without locking or rewriting it: the bans active at {@code now}, in
   * {@link #ORDER}, and the damaged lines skipped, each {@code file:line: what is wrong}.
   */
  public record Contents(List<Ban> active, List<String> damage) {}

  /**
   * The journal's contents at {@code now}, read without locking or rewriting it (so while a proxy
   * holds it). A half-written last line is skipped as in {@link #open}; other bad lines are skipped
   * and listed in {@link Contents#damage}.
   */
  public static Contents read(Path journal, Instant now) throws IOException {
    BanJournal.Replay replay = BanJournal.replay(journal);
    List<Ban> active = new ArrayList<>();
    for (Ban ban : replay.bans().values()) {
      if (ban.activeAt(now)) {
        active.add(ban);
      }
    }
    active.sort(ORDER);
    return new Contents(active, replay.damage());
  }

  /** As {@link #read}, with each damaged line logged as a warning. */
  public static List<Ban> readActive(Path journal, Instant now) throws IOException {
    Contents contents = read(journal, now);
    contents.damage().forEach(d -> LOG.warning(d + " (damaged line skipped)"));
    return contents.active();
  }

  /**
   * The malformed lines {@link #open} found and skipped, each {@code file:line: what is wrong};
   * empty when the journal was sound.
   */
  public List<String> journalDamage() {
    return journal.damage();
  }

  /** Where {@link #open} moved a damaged journal, if it found one. */
  public Optional<Path> damagedCopy() {
    return Optional.ofNullable(journal.damagedCopy());
  }

  /**
   * Bans {@code target} for {@code duration} from now, or extends its ban: the later end wins, the
   * new reason replaces the old, the history is appended, {@code by} names who made it now (the
   * start is kept). Refused (and logged) when the target overlaps a never-ban block.
   *
   * @throws IllegalArgumentException duration not positive or over 100 years, or a {@code /0}
   *     target
   * @throws UncheckedIOException the ban holds in memory but could not be written to the journal
   */
  public BanOutcome ban(
      Cidr target, Duration duration, String reason, List<String> history, String by) {
    check(target, duration);
    String refusal = neverBan.refusal(target);
    if (refusal != null) {
      LOG.warning(refusal + " (" + reason + ")");
      return BanOutcome.refused(refusal);
    }
    Ban ban;
    boolean extended;
    synchronized (this) {
      checkOpen();
      Instant now = clock.instant();
      Instant until = now.plus(duration);
      Cidr requested = target;
      target = widenedAtCap(requested);
      List<Ban> absorbed = new ArrayList<>();
      for (Cidr inside :
          BanCap.absorbed(target, requested.equals(target) ? List.of() : bans.keySet())) {
        absorbed.add(bans.remove(inside));
      }
      if (!requested.equals(target)) {
        reason +=
            " (widened from "
                + requested.shortText()
                + ": ban list at its cap of "
                + cap.max()
                + ")";
      }
      Ban old = bans.get(target);
      List<String> strikes = new ArrayList<>();
      extended = old != null && old.activeAt(now);
      if (old != null) {
        absorbed.add(old);
      }
      for (Ban earlier : absorbed) {
        if (earlier.activeAt(now)) {
          if (earlier.until().isAfter(until)) {
            until = earlier.until();
          }
          strikes.addAll(earlier.history());
        }
      }
      strikes.addAll(history);
      if (strikes.size() > MAX_HISTORY) {
        strikes = strikes.subList(strikes.size() - MAX_HISTORY, strikes.size());
      }
      ban = new Ban(target, until, reason, strikes, extended ? old.started() : now, by);
      bans.put(target, ban);
      publish();
      persist(
          () -> {
            for (Ban earlier : absorbed) {
              if (!earlier.target().equals(ban.target())) {
                journal.appendUnban(earlier.target());
              }
            }
            journal.appendBan(ban);
          });
    }
    LOG.info("banned " + ban.target().shortText() + " until " + ban.until() + ": " + ban.reason());
    notifyListeners();
    return BanOutcome.of(ban, extended);
  }

  /** What no ban may be, whoever asks: longer than 100 years, not positive, or every address. */
  static void check(Cidr target, Duration duration) {
    if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          "ban duration " + duration + " (expected: more than 0, at most 100 years)");
    }
    if (target.prefix() == 0) {
      throw new IllegalArgumentException("refusing to ban " + target + ": that is every address");
    }
  }

  /**
   * Replaces the never-ban blocks (a policy reload changed them) and lifts, journalled, the bans in
   * force that overlap them.
   */
  public void neverBan(List<Cidr> blocks) {
    NeverBan never = NeverBan.of(blocks);
    List<Ban> lifted = new ArrayList<>();
    synchronized (this) {
      checkOpen();
      neverBan = never;
      for (Ban ban : bans.values()) {
        if (never.protecting(ban.target()) != null) {
          lifted.add(ban);
        }
      }
      if (lifted.isEmpty()) {
        return;
      }
      for (Ban ban : lifted) {
        bans.remove(ban.target());
      }
      publish();
      persist(
          () -> {
            for (Ban ban : lifted) {
              journal.appendUnban(ban.target());
            }
          });
    }
    for (Ban ban : lifted) {
      LOG.warning(
          "ban of "
              + ban.target().shortText()
              + " lifted: it overlaps never-ban "
              + never.protecting(ban.target()).shortText());
    }
    notifyListeners();
  }

  /** The ban on exactly {@code target} in force at {@code now}, if any. Lock-free. */
  public Optional<Ban> get(Cidr target, Instant now) {
    for (Ban ban : snapshot.all) {
      if (ban.target().equals(target) && ban.activeAt(now)) {
        return Optional.of(ban);
      }
    }
    return Optional.empty();
  }

  /**
   * The most bans this list holds; a ban beyond it is widened (see {@link BanCap}). Replayed bans
   * over a lowered cap stay until they end.
   */
  public synchronized void cap(BanCap cap) {
    this.cap = cap;
  }

  /** {@code target}, or the block it widens to at the cap unless that touches a never-ban block. */
  private Cidr widenedAtCap(Cidr target) {
    Cidr wider = cap.target(target, bans.keySet());
    if (wider.equals(target)) {
      return target;
    }
    Cidr protectedBy = neverBan.protecting(wider);
    if (protectedBy != null) {
      LOG.warning(
          "ban list over its cap of "
              + cap.max()
              + ": "
              + target.shortText()
              + " kept as it is, since "
              + wider.shortText()
              + " overlaps never-ban "
              + protectedBy.shortText());
      return target;
    }
    return wider;
  }

  /**
   * Lifts the ban on exactly {@code target} (not on blocks inside or around it); false if there was
   * none.
   */
  public boolean unban(Cidr target) {
    Cidr block = target;
    synchronized (this) {
      checkOpen();
      if (bans.remove(block) == null) {
        return false;
      }
      publish();
      persist(() -> journal.appendUnban(block));
    }
    LOG.info("unbanned " + block.shortText());
    notifyListeners();
    return true;
  }

  /**
   * Whether {@code address} is banned at {@code now}. Lock-free and allocation-free for IPv4 and
   * exact matches.
   */
  public boolean isBanned(InetAddress address, Instant now) {
    return snapshot.find(address, now) != null;
  }

  /** The ban that keeps {@code address} out at {@code now}, if any. Lock-free. */
  public Optional<Ban> bannedBy(InetAddress address, Instant now) {
    return Optional.ofNullable(snapshot.find(address, now));
  }

  /** The bans in force at {@code now}, in {@link #ORDER}. */
  public List<Ban> active(Instant now) {
    Snapshot s = snapshot;
    List<Ban> active = new ArrayList<>(s.all.length);
    for (Ban ban : s.all) {
      if (ban.activeAt(now)) {
        active.add(ban);
      }
    }
    return active;
  }

  /**
   * Removes the bans that have ended by {@code now} and journals it; listeners hear of it if any
   * did. Returns how many ended.
   */
  public int expire(Instant now) {
    List<Ban> expired = new ArrayList<>();
    synchronized (this) {
      checkOpen();
      for (Ban ban : bans.values()) {
        if (!ban.activeAt(now)) {
          expired.add(ban);
        }
      }
      if (expired.isEmpty()) {
        return 0;
      }
      for (Ban ban : expired) {
        bans.remove(ban.target());
      }
      publish();
      persist(() -> journal.appendExpire(sorted(expired)));
    }
    for (Ban ban : expired) {
      LOG.info("ban of " + ban.target().shortText() + " expired");
    }
    notifyListeners();
    return expired.size();
  }

  /**
   * Calls {@code activeBansChanged} with the active bans after every change, on the thread that
   * made it. Calls are serialised and each carries the list as it stands when the call is made, so
   * the last call always has the newest.
   */
  public void addListener(Consumer<List<Ban>> activeBansChanged) {
    listeners.add(activeBansChanged);
  }

  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      journal.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("ban list is closed");
    }
  }

  private interface JournalWrite {
    void run() throws IOException;
  }

  /** Called with the lock held, after the change is published. */
  private void persist(JournalWrite write) {
    try {
      write.run();
      if (journal.lines() > compactAfter && journal.lines() > 4 * (bans.size() + 1)) {
        journal.rewrite(sorted(bans.values()));
      }
    } catch (IOException e) {
      LOG.log(Level.SEVERE, "ban journal write failed; the change holds until restart only", e);
      throw new UncheckedIOException(e);
    }
  }

  private void notifyListeners() {
    if (listeners.isEmpty()) {
      return;
    }
    synchronized (notifyLock) {
      List<Ban> now = active(clock.instant());
      for (Consumer<List<Ban>> listener : listeners) {
        try {
          listener.accept(now);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "ban list listener failed", e);
        }
      }
    }
  }

  private List<Ban> sorted(java.util.Collection<Ban> of) {
    List<Ban> list = new ArrayList<>(of);
    list.sort(ORDER);
    return list;
  }

  private void publish() {
    snapshot = Snapshot.of(sorted(bans.values()));
  }

  private static int compareCidr(Cidr a, Cidr b) {
    byte[] x = a.network().getAddress();
    byte[] y = b.network().getAddress();
    if (x.length != y.length) {
      return Integer.compare(x.length, y.length);
    }
    int c = Arrays.compareUnsigned(x, y);
    return c != 0 ? c : Integer.compare(a.prefix(), b.prefix());
  }

  /**
   * What readers see: immutable once published. {@code all} for listings, {@code index} for lookups
   * (a hash probe per prefix length in use, whatever the number of bans).
   */
  private static final class Snapshot {
    static final Snapshot EMPTY = new Snapshot(new Ban[0], PrefixIndex.empty());

    final Ban[] all;
    final PrefixIndex<Ban> index;

    private Snapshot(Ban[] all, PrefixIndex<Ban> index) {
      this.all = all;
      this.index = index;
    }

    static Snapshot of(List<Ban> sorted) {
      Map<Cidr, Ban> byTarget = new HashMap<>();
      for (Ban ban : sorted) {
        byTarget.put(ban.target(), ban);
      }
      return new Snapshot(sorted.toArray(new Ban[0]), PrefixIndex.of(byTarget));
    }

    Ban find(InetAddress address, Instant now) {
      return index.find(address, now, Ban::activeAt);
    }
  }
}
