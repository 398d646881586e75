package zinit.supervisor;

import java.util.LinkedHashMap;
import java.util.Map;
import zinit.config.RestartPolicy;

/** What `status` shows of the service model v2: only what the service's file configures. */
final class ModelStatus {
  private ModelStatus() {}

  static Map<String, Object> of(Service s) {
    Map<String, Object> out = new LinkedHashMap<>();
    RestartPolicy r = s.config.restart();
    if (r.mode() != RestartPolicy.Mode.ALWAYS) out.put("restart", r.mode().key());
    if (r.startLimit() != null) {
      out.put(
          "start_limit",
          r.startLimit().burst() + " starts in " + r.startLimit().interval().toSeconds() + " s");
    }
    if (s.config.health() != null) {
      out.put("health", s.health == null ? "starting" : s.health.display(s.config.health().retries()));
    }
    if (s.config.limits() != null) {
      out.put("limits", s.config.limits().display());
      if (s.config.limits().memory() > 0) out.put("oom_kills", s.oomKills);
    }
    if (s.config.identity() != null) {
      var id = s.config.identity();
      out.put("user", id.userName() + " (uid " + id.uid() + " gid " + id.gid() + ")");
    }
    return out;
  }
}
