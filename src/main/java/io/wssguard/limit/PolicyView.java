package io.wssguard.limit;

/**
 * Where a connection reads the policy currently in force for its route: one volatile read per
 * check, so a reload reaches open connections at their next frame.
 */
@FunctionalInterface
public interface PolicyView {
  CompiledPolicy current();
}
