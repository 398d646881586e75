package zinit.supervisor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How {@link Supervisor}'s callers, on any thread, run a task on the loop and wait for its answer:
 * a domain error comes back as itself, an error on the loop fails the call instead of hanging it.
 * The caller would only wait, so it runs the task itself when the loop is idle ({@link
 * Scheduler#executeHere}); callers hold no lock a loop task takes (their service's OpLock is
 * never taken on the loop).
 */
final class LoopCalls {
  private final Scheduler loop;

  LoopCalls(Scheduler loop) {
    this.loop = loop;
  }

  @FunctionalInterface
  interface LoopTask<T> {
    T run() throws ZinitException;
  }

  <T> T call(java.util.function.Supplier<T> task) {
    try {
      return callChecked(task::get);
    } catch (ZinitException e) {
      throw new IllegalStateException(e);
    }
  }

  <T> T callChecked(LoopTask<T> task) throws ZinitException {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.executeHere(
        () -> {
          try {
            result.complete(task.run());
          } catch (ZinitException | RuntimeException e) {
            result.completeExceptionally(e);
          } catch (Error e) {
            // the caller must not hang; the loop's guard still reports it
            result.completeExceptionally(e);
            throw e;
          }
        });
    return await(result);
  }

  /**
   * Runs {@code task} on the loop and waits for the future it returns, waking the caller once,
   * when that future completes, rather than once for the task and again for its future: a stop's
   * reply then costs one hand-off from the loop instead of two.
   */
  <T> T callUntil(LoopTask<CompletableFuture<T>> task) throws ZinitException {
    return await(callThen(task));
  }

  /**
   * Runs {@code task} on the loop and returns at once a future of the future it returns; it fails
   * with the task's exception itself (a domain error as such). Its dependent stages run on the
   * thread that completes the task's future, usually the loop: they must be short.
   */
  <T> CompletableFuture<T> callThen(LoopTask<CompletableFuture<T>> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.executeHere(
        () -> {
          try {
            task.run()
                .whenComplete(
                    (value, failure) -> {
                      if (failure == null) result.complete(value);
                      else
                        result.completeExceptionally(
                            failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure);
                    });
          } catch (ZinitException | RuntimeException e) {
            result.completeExceptionally(e);
          } catch (Error e) {
            result.completeExceptionally(e);
            throw e;
          }
        });
    return result;
  }

  /** Waits for a future that never fails with a domain error. */
  static void awaitQuietly(CompletableFuture<Void> future) {
    try {
      await(future);
    } catch (ZinitException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T await(CompletableFuture<T> future) throws ZinitException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the supervisor", e);
    } catch (ExecutionException e) {
      switch (e.getCause()) {
        case ZinitException z -> throw z;
        case RuntimeException r -> throw r;
        case Error err -> throw new IllegalStateException("internal error in the supervisor: " + err, err);
        default -> throw new IllegalStateException(e.getCause());
      }
    }
  }
}
