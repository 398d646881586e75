package zinit.supervisor;

/** The observed state of a service, as zinit reports it. */
public enum State {
  Unknown,
  Blocked,
  Spawned,
  Running,
  Success,
  Error,
  TestFailure,
  Failure
}
