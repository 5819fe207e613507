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
 */
public final class PolicyStore {
  private final List<String> routePolicies;
  private final List<Consumer<PolicySet>> listeners = new CopyOnWriteArrayList<>();
  private volatile Snapshot snapshot;

  /** {@code byRoute}: each route's compiled policy in route order, null for {@code policy: off}. */
  private record Snapshot(PolicySet set, List<CompiledPolicy> byRoute) {}

  /**
   * @param routePolicies the policy name of each route, in route order
   */
  public PolicyStore(List<String> routePolicies, PolicySet initial) {
    this.routePolicies = List.copyOf(routePolicies);
    this.snapshot = compile(initial);
  }

  /** The names of route policies the set lacks (empty when it can be applied). */
  public List<String> missing(PolicySet set) {
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
    snapshot = compile(set);
    listeners.forEach(l -> l.accept(set));
  }

  /**
   * Calls {@code applied} with every set swapped in from now on (what follows the policies, such as
   * the never-ban blocks, is recomputed there).
   */
  public void onReplace(Consumer<PolicySet> applied) {
    listeners.add(applied);
  }

  private Snapshot compile(PolicySet set) {
    List<String> missing = missing(set);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("no policy named " + String.join(", ", missing));
    }
    CompiledPolicy[] byRoute = new CompiledPolicy[routePolicies.size()];
    Map<String, CompiledPolicy> compiled = new HashMap<>();
    for (int i = 0; i < byRoute.length; i++) {
      Policy p = set.policies().get(routePolicies.get(i));
      byRoute[i] =
          p == null ? null : compiled.computeIfAbsent(p.name(), n -> new CompiledPolicy(p));
    }
    return new Snapshot(set, Collections.unmodifiableList(Arrays.asList(byRoute)));
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
}
