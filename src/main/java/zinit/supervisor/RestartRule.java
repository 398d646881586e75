package zinit.supervisor;

import zinit.config.RestartPolicy;

/** Whether a non-oneshot service whose main process ended on its own is started again. */
final class RestartRule {
  private RestartRule() {}

  static boolean restarts(RestartPolicy.Mode mode, ExitStatus status) {
    return switch (mode) {
      case ALWAYS -> true;
      // A signal counts as a failure, also SIGTERM from outside: the service did not finish.
      case ON_FAILURE -> !status.success();
      case NEVER -> false;
    };
  }
}
