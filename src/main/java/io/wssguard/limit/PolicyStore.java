package io.wssguard.limit;

import io.wssguard.policy.Policy;
import io.wssguard.policy.PolicyParser;
import io.wssguard.policy.PolicySet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The compiled policy of every route, published through one volatile reference: a reload compiles
 * the whole new set first and swaps it in one write, and each open connection sees the new limits
 * at its next frame.
 *
 * <p>A connection reads its policy by name ({@link #view(String)}), not by route position, so a
 * reload that reorders or replaces the routes still reaches it. A policy a reload removes keeps its
 * last compiled form for the connections that still read it (no route can name it any more).
 */
public final class PolicyStore {
  private final List<Consumer<PolicySet>> listeners = new CopyOnWriteArrayList<>();
  private volatile Snapshot snapshot;

  /**
   * {@code byRoute}: each route's compiled policy in route order, null for {@code policy: off};
   * {@code byName}: every policy connections may still read.
   */
  private record Snapshot(
      List<String> routePolicies,
      PolicySet set,
      List<CompiledPolicy> byRoute,
      Map<String, CompiledPolicy> byName) {}

  /**
   * @param routePolicies the policy name of each route, in route order
   */
  public PolicyStore(List<String> routePolicies, PolicySet initial) {
    this.snapshot = compile(List.copyOf(routePolicies), initial, Map.of());
  }

  /** The names of route policies the set lacks (empty when it can be applied). */
  public List<String> missing(PolicySet set) {
    return missing(snapshot.routePolicies(), set);
  }

  private static List<String> missing(List<String> routePolicies, PolicySet set) {
    List<String> missing = new ArrayList<>();
    for (String name : routePolicies) {
      if (!name.equals(PolicyParser.OFF)
          && !set.policies().containsKey(name)
          && !missing.contains(name)) {
        missing.add(name);
      }
    }
    return missing;
  }

  /** Replaces every route's policy at once, then tells the listeners. */
  public synchronized void replace(PolicySet set) {
    replace(snapshot.routePolicies(), set);
  }

  /**
   * Calls {@code applied} with every set swapped in from now on (what follows the policies, such as
   * the never-ban blocks, is recomputed there).
   */
  public void onReplace(Consumer<PolicySet> applied) {
    listeners.add(applied);
  }

  /** Replaces the routes' policy names and every policy at once (a whole-configuration reload). */
  public synchronized void replace(List<String> routePolicies, PolicySet set) {
    snapshot = compile(List.copyOf(routePolicies), set, snapshot.byName());
    listeners.forEach(l -> l.accept(set));
  }

  private static Snapshot compile(
      List<String> routePolicies, PolicySet set, Map<String, CompiledPolicy> previous) {
    List<String> missing = missing(routePolicies, set);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("no policy named " + String.join(", ", missing));
    }
    Map<String, CompiledPolicy> byName = new HashMap<>(previous);
    for (Policy p : set.policies().values()) {
      byName.put(p.name(), new CompiledPolicy(p));
    }
    CompiledPolicy[] byRoute = new CompiledPolicy[routePolicies.size()];
    for (int i = 0; i < byRoute.length; i++) {
      Policy p = set.policies().get(routePolicies.get(i));
      byRoute[i] = p == null ? null : byName.get(p.name());
    }
    return new Snapshot(
        routePolicies, set, Collections.unmodifiableList(Arrays.asList(byRoute)), byName);
  }

  public PolicySet current() {
    return snapshot.set();
  }

  /**
   * The live policy of route {@code index}; its {@code current()} is null for a route with {@code
   * policy: off}.
   */
  public PolicyView view(int index) {
    return () -> snapshot.byRoute().get(index);
  }

  /**
   * The live policy named {@code name}; its {@code current()} is null for {@link PolicyParser#OFF}.
   */
  public PolicyView view(String name) {
    if (name.equals(PolicyParser.OFF)) {
      return () -> null;
    }
    return () -> snapshot.byName().get(name);
  }
}
