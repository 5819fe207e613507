package io.wssguard.policy;

/** Whether a policy acts on what it finds or only counts and logs what it would have done. */
public enum Mode {
  ENFORCE,
  MONITOR
}
