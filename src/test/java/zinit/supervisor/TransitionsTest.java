package zinit.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The table of legal state changes, checked move by move. */
class TransitionsTest {
  @Test
  void everyStateMayStayWhereItIs() {
    for (State s : State.values()) assertThat(Transitions.legal(s, s)).as(s.name()).isTrue();
  }

  @Test
  void aServiceWithoutProcessCannotEndAsSuccessOrError() {
    for (State end : new State[] {State.Success, State.Error}) {
      assertThat(Transitions.legal(State.Unknown, end)).isFalse();
      assertThat(Transitions.legal(State.Blocked, end)).isFalse();
    }
  }

  @Test
  void blockedServiceIsSpawnedOnlyByWayOfUnknown() {
    assertThat(Transitions.legal(State.Blocked, State.Running)).isFalse();
    assertThat(Transitions.legal(State.Blocked, State.Spawned)).isFalse();
    assertThat(Transitions.legal(State.Blocked, State.Unknown)).isTrue();
  }

  @Test
  void runningServiceOnlyEndsAndNeverGoesBackToSpawned() {
    assertThat(Transitions.legal(State.Running, State.Spawned)).isFalse();
    assertThat(Transitions.legal(State.Running, State.Unknown)).isFalse();
    assertThat(Transitions.legal(State.Running, State.Error)).isTrue();
    assertThat(Transitions.legal(State.Running, State.Success)).isTrue();
  }

  @Test
  void endedServiceCanBeRestartedOrFail() {
    for (State end : new State[] {State.Success, State.Error, State.Failure}) {
      assertThat(Transitions.legal(end, State.Running)).isTrue();
      assertThat(Transitions.legal(end, State.Spawned)).isTrue();
      assertThat(Transitions.legal(end, State.Failure)).isTrue();
      assertThat(Transitions.legal(end, State.Blocked)).isTrue();
    }
  }

  @Test
  void illegalMoveIsABugNamingServiceAndStates() {
    assertThatThrownBy(() -> Transitions.check("web", State.Running, State.Spawned))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("web: illegal state change Running -> Spawned");
  }
}
