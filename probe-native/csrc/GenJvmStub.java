import java.nio.file.*;
import java.util.*;

/**
 * Writes libjvm.c for a stand-in libjvm.so: the JDK's shared libjava/libnio/libnet/libzip need a libjvm.so that
 * defines their JVM_* and jio_* imports (version SUNWprivate_1.1, bound at load: they are linked with -z now).
 * A few are implemented; the rest print their name and abort, so a call the image does not intercept is visible.
 * Args: out-dir symbol...
 */
public class GenJvmStub {
    static final Set<String> REAL = Set.of("JVM_ActiveProcessorCount", "JVM_NanoTime", "JVM_CurrentTimeMillis",
        "JVM_FindLibraryEntry", "JVM_NativePath", "JVM_RawMonitorCreate", "JVM_RawMonitorDestroy", "JVM_RawMonitorEnter",
        "JVM_RawMonitorExit", "jio_snprintf", "jio_vsnprintf", "jio_fprintf", "jio_vfprintf", "JVM_Halt", "JVM_BeforeHalt");
    public static void main(String[] a) throws Exception {
        StringBuilder s = new StringBuilder("""
            #define _GNU_SOURCE
            #include <dlfcn.h>
            #include <pthread.h>
            #include <stdarg.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <time.h>
            #include <unistd.h>
            static void missing(const char *n) { fprintf(stderr, "libjvm stand-in: %s called, not available\\n", n); abort(); }
            int JVM_ActiveProcessorCount(void) { return (int) sysconf(_SC_NPROCESSORS_ONLN); }
            long long JVM_NanoTime(void *env, void *c) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
            long long JVM_CurrentTimeMillis(void *env, void *c) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec * 1000LL + t.tv_nsec / 1000000; }
            void *JVM_FindLibraryEntry(void *h, const char *name) { return dlsym(h, name); }
            char *JVM_NativePath(char *p) { return p; }
            void *JVM_RawMonitorCreate(void) { pthread_mutex_t *m = malloc(sizeof *m); pthread_mutex_init(m, NULL); return m; }
            void JVM_RawMonitorDestroy(void *m) { pthread_mutex_destroy(m); free(m); }
            int JVM_RawMonitorEnter(void *m) { return pthread_mutex_lock(m); }
            void JVM_RawMonitorExit(void *m) { pthread_mutex_unlock(m); }
            int jio_vsnprintf(char *b, size_t n, const char *f, va_list ap) { return vsnprintf(b, n, f, ap); }
            int jio_snprintf(char *b, size_t n, const char *f, ...) { va_list ap; va_start(ap, f); int r = vsnprintf(b, n, f, ap); va_end(ap); return r; }
            int jio_vfprintf(FILE *o, const char *f, va_list ap) { return vfprintf(o, f, ap); }
            int jio_fprintf(FILE *o, const char *f, ...) { va_list ap; va_start(ap, f); int r = vfprintf(o, f, ap); va_end(ap); return r; }
            void JVM_BeforeHalt(void) {}
            void JVM_Halt(int code) { _exit(code); }
            """);
        for (String n : new TreeSet<>(Arrays.asList(a).subList(1, a.length))) {
            if (!REAL.contains(n)) s.append("void ").append(n).append("(void) { missing(\"").append(n).append("\"); }\n");
        }
        Files.writeString(Path.of(a[0], "libjvm.c"), s);
        Files.writeString(Path.of(a[0], "libjvm.map"), "SUNWprivate_1.1 { global: JVM_*; jio_*; local: *; };\n");
    }
}
