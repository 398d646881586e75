package zinit.config;

/**
 * Where a service's output goes: the shared ring buffer, zinit's own stdout, nowhere, or a file of
 * its own (and the ring).
 */
public enum LogMode {
  RING,
  STDOUT,
  NULL,
  FILE
}
