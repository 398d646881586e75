/*
 * Own stand-ins for the C helpers that SubstrateVM links into every image (GraalVM ships them compiled, as
 * lib/svm/clibraries/linux-amd64/glibc/liblibchelper.a, libjvm.a and libsvm_container.a; Maven Central has no
 * artifact with them). Written for this probe from the Java declarations in svm-25.0.4.jar: same names and
 * signatures, simplest behaviour that is correct on Linux/amd64.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "amd64cpufeatures.h"
#include "svm_locale.h"

/* --- CPU features (AMD64LibCHelper) --- */
void determineCPUFeatures(CPUFeatures *f) {
    unsigned a, b, c, d, max;
    memset(f, 0, sizeof(*f));
    max = __get_cpuid_max(0, 0);
    if (max >= 1) {
        __cpuid(1, a, b, c, d);
        f->fCX8 = !!(d & (1u << 8)); f->fCMOV = !!(d & (1u << 15)); f->fFXSR = !!(d & (1u << 24));
        f->fHT = !!(d & (1u << 28)); f->fMMX = !!(d & (1u << 23)); f->fSSE = !!(d & (1u << 25));
        f->fSSE2 = !!(d & (1u << 26)); f->fTSC = !!(d & (1u << 4)); f->fFLUSH = !!(d & (1u << 19));
        f->fSSE3 = !!(c & 1u); f->fCLMUL = !!(c & (1u << 1)); f->fSSSE3 = !!(c & (1u << 9));
        f->fFMA = !!(c & (1u << 12)); f->fSSE4_1 = !!(c & (1u << 19)); f->fSSE4_2 = !!(c & (1u << 20));
        f->fPOPCNT = !!(c & (1u << 23)); f->fAES = !!(c & (1u << 25)); f->fF16C = !!(c & (1u << 29));
        f->fHV = !!(c & (1u << 31));
        int osxsave = !!(c & (1u << 27)), avx = !!(c & (1u << 28));
        if (osxsave && avx) {
            unsigned lo, hi;
            __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            if ((lo & 6) == 6) { f->fAVX = 1; f->fVZEROUPPER = 1; }
        }
        if (!f->fAVX) { f->fFMA = 0; f->fF16C = 0; }
    }
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f->fBMI1 = !!(b & (1u << 3)); f->fBMI2 = !!(b & (1u << 8)); f->fERMS = !!(b & (1u << 9));
        f->fADX = !!(b & (1u << 19)); f->fFLUSHOPT = !!(b & (1u << 23)); f->fCLWB = !!(b & (1u << 24));
        f->fSHA = !!(b & (1u << 29)); f->fFSRM = !!(d & (1u << 4));
        if (f->fAVX) f->fAVX2 = !!(b & (1u << 5));
    }
    __cpuid(0x80000000, max, b, c, d);
    if (max >= 0x80000001) {
        __cpuid(0x80000001, a, b, c, d);
        f->fLZCNT = !!(c & (1u << 5)); f->fSSE4A = !!(c & (1u << 6));
        f->fAMD_3DNOW_PREFETCH = !!(c & (1u << 8)); f->fRDTSCP = !!(d & (1u << 27));
    }
    if (max >= 0x80000007) {
        __cpuid(0x80000007, a, b, c, d);
        f->fTSCINV_BIT = !!(d & (1u << 8)); f->fTSCINV = f->fTSCINV_BIT;
    }
}
/* 0 = the machine has what the image was compiled for (not verified here; this probe runs where it was built) */
int checkCPUFeatures(uint8_t *buildtimeFeatures) { (void) buildtimeFeatures; return 0; }
int checkCPUFeaturesOrExit(uint8_t *buildtimeFeatures, const char *msg) { (void) buildtimeFeatures; (void) msg; return 0; }

/* --- locale (LocaleCHelper) --- */
static svm_locale_props_t props;
static void split(const char *l, char **lang, char **country) {
    static char buf[64];
    if (l == NULL || *l == 0 || strcmp(l, "C") == 0 || strcmp(l, "POSIX") == 0 || strncmp(l, "C.", 2) == 0) l = "en";
    snprintf(buf, sizeof buf, "%s", l);
    buf[strcspn(buf, ".@")] = 0;
    char *u = strchr(buf, '_');
    if (u) { *u = 0; *country = strdup(u + 1); } else *country = "";
    *lang = strdup(buf);
}
int svm_initialize_locale(void) {
    const char *l = setlocale(LC_ALL, "");
    split(l ? setlocale(LC_CTYPE, NULL) : NULL, &props.display_language, &props.display_country);
    props.format_language = props.display_language; props.format_country = props.display_country;
    props.display_script = props.display_variant = props.format_script = props.format_variant = "";
    return SVM_LOCALE_INITIALIZATION_SUCCEEDED;
}
svm_locale_props_t *svm_get_locale(void) { return &props; }

/* --- sun.misc.Signal support (CSunMiscSignal): C handler counts, a Java thread waits on the semaphore --- */
static sem_t sig_sem;
static atomic_int sig_pending[NSIG];
int cSunMiscSignal_open(void) { return sem_init(&sig_sem, 0, 0); }
int cSunMiscSignal_close(void) { return sem_destroy(&sig_sem); }
int cSunMiscSignal_awaitSemaphore(void) { int r; while ((r = sem_wait(&sig_sem)) == -1 && errno == EINTR) {} return r; }
int cSunMiscSignal_signalSemaphore(void) { return sem_post(&sig_sem); }
int cSunMiscSignal_signalRangeCheck(int sig) { return sig > 0 && sig < NSIG; }
int cSunMiscSignal_checkPendingSignal(void) {
    for (int s = 1; s < NSIG; s++) {
        int n = atomic_load(&sig_pending[s]);
        while (n > 0) {
            if (atomic_compare_exchange_weak(&sig_pending[s], &n, n - 1)) return s;
        }
    }
    return -1;
}
static void dispatch(int sig) { int e = errno; atomic_fetch_add(&sig_pending[sig], 1); sem_post(&sig_sem); errno = e; }
void *cSunMiscSignal_signalHandlerFunctionPointer(void) { return (void *) dispatch; }

/* --- small libc wrappers with fixed signatures --- */
int fprintfSD(FILE *f, const char *fmt, const char *s, int d) { return fprintf(f, fmt, s, d); }
int openSII(const char *path, int flags, int mode) { return open(path, flags, mode); }
void *mremapP(void *old, size_t oldSize, size_t newSize, int flags, void *newAddr) { return mremap(old, oldSize, newSize, flags, newAddr); }
int getThreadId(void) { return (int) syscall(SYS_gettid); }

/* --- time zone id (TZ, /etc/timezone, /etc/localtime's link) --- */
char *SVM_FindJavaTZmd(const char *tzMappings, int length) {
    (void) tzMappings; (void) length;
    const char *tz = getenv("TZ");
    if (tz && *tz) return strdup(*tz == ':' ? tz + 1 : tz);
    char buf[PATH_MAX];
    FILE *f = fopen("/etc/timezone", "r");
    if (f) {
        if (fgets(buf, sizeof buf, f)) { fclose(f); buf[strcspn(buf, "\n ")] = 0; if (*buf) return strdup(buf); }
        else fclose(f);
    }
    ssize_t n = readlink("/etc/localtime", buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = 0;
        char *z = strstr(buf, "zoneinfo/");
        if (z) return strdup(z + 9);
    }
    return strdup("UTC");
}

/* --- libjvm.a (JvmFuncs) and libsvm_container.a --- */
void initialize(void) {}
int svm_container_initialize(int version) { (void) version; return 0; /* SUCCESS_IS_NOT_CONTAINERIZED */ }
uint64_t svm_container_physical_memory(void) { return (uint64_t) sysconf(_SC_PHYS_PAGES) * (uint64_t) sysconf(_SC_PAGESIZE); }
int svm_container_active_processor_count(void) { return (int) sysconf(_SC_NPROCESSORS_ONLN); }
