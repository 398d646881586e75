package zinit.config;

/** Where a service's output goes: the shared ring buffer, zinit's own stdout, or nowhere. */
public enum LogMode {
  RING,
  STDOUT,
  NULL
}
