package io.wssguard.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration of one wssguard process: where it listens, which backend groups
 * exist and which route leads to which group. Built by {@link ConfigParser} from YAML (or from the
 * embedded defaults) and immutable afterwards.
 *
 * @param source the file this came from, or {@code null} for the embedded defaults
 * @param demoBackend the built-in echo backend to start, or {@code null} for none
 * @param policiesDir the directory of policy files ({@code *.yaml}, {@code *.yml}), or {@code null}
 *     for the embedded default policy; routes name their policy, and whoever loads the policies
 *     checks that the names exist
 * @param bans the ban journal and firewall, or {@code null}: bans are kept in memory only and stay
 *     out of the kernel
 * @param admin the admin listener and access log; {@code null} is read as {@link AdminConfig#OFF}
 * @param limits process-wide limits; {@code null} is read as {@link LimitsConfig#DEFAULT}
 * @param watchPolicies whether a change in the policies directory reloads by itself ({@code
 *     policies.watch}); off by default, so an edit goes live only on an explicit reload
 * @param cluster the fleet this proxy shares bans with, or {@code null} (no {@code cluster} block):
 *     a proxy on its own, no Redis
 * @param record traffic recording for {@code policy replay}, or {@code null}: nothing recorded
 */
public record ProxyConfig(
    List<ListenerConfig> listeners,
    Map<String, BackendGroupConfig> backends,
    List<RouteConfig> routes,
    TimeoutsConfig timeouts,
    DemoBackendConfig demoBackend,
    Path policiesDir,
    BansConfig bans,
    Path source,
    AdminConfig admin,
    LimitsConfig limits,
    boolean watchPolicies,
    ClusterConfig cluster,
    RecordConfig record) {

  public ProxyConfig {
    admin = admin == null ? AdminConfig.OFF : admin;
    limits = limits == null ? LimitsConfig.DEFAULT : limits;
    listeners = List.copyOf(listeners);
    backends = Map.copyOf(backends);
    routes = List.copyOf(routes);
  }
}
