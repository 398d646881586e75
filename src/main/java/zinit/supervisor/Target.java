package zinit.supervisor;

/** What the operator wants of a service. */
public enum Target {
  Up,
  Down
}
