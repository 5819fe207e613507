package io.wssguard.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Every policy loaded from a set of files, validated together (names are unique across files).
 *
 * @param files the files read, with the SHA-256 of each (the audit trail of what is in force)
 */
public record PolicySet(Map<String, Policy> policies, List<SourceFile> files) {

  /** One policy file as read. */
  public record SourceFile(Path path, String sha256) {}

  public PolicySet {
    policies = Map.copyOf(policies);
    files = List.copyOf(files);
  }
}
