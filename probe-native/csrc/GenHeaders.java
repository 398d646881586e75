import java.lang.reflect.Method;
import java.nio.file.*;
import java.util.*;

/** Writes C headers that declare the C structs the builder queries (the real headers ship in GraalVM's lib/svm, not on Maven). */
public class GenHeaders {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0], "include");
        Files.createDirectories(dir);
        cpu(dir, "amd64", "com.oracle.svm.core.amd64.AMD64LibCHelper$CPUFeatures");
        cpu(dir, "aarch64", "com.oracle.svm.core.aarch64.AArch64LibCHelper$CPUFeatures");
        cpu(dir, "riscv64", "com.oracle.svm.core.riscv64.RISCV64LibCHelper$CPUFeatures");
        Files.writeString(dir.resolve("svm_locale.h"), """
            #ifndef SVM_LOCALE_H
            #define SVM_LOCALE_H
            #define SVM_LOCALE_INITIALIZATION_SUCCEEDED 0
            #define SVM_LOCALE_INITIALIZATION_OUT_OF_MEMORY 1
            typedef struct {
              char *display_language, *display_script, *display_country, *display_variant;
              char *format_language, *format_script, *format_country, *format_variant;
            } svm_locale_props_t;
            int svm_initialize_locale(void);
            svm_locale_props_t *svm_get_locale(void);
            #endif
            """);
    }

    static void cpu(Path dir, String arch, String cls) throws Exception {
        StringBuilder s = new StringBuilder("#include <stdint.h>\ntypedef struct {\n");
        Method[] ms;
        try { ms = Class.forName(cls, false, GenHeaders.class.getClassLoader()).getDeclaredMethods(); }
        catch (ClassNotFoundException e) { ms = new Method[0]; }
        Arrays.sort(ms, Comparator.comparing(Method::getName));
        for (Method m : ms) if (m.getParameterCount() == 0) s.append("  char ").append(m.getName()).append(";\n");
        if (ms.length == 0) s.append("  char unused;\n");
        s.append("} CPUFeatures;\n");
        s.append("void determineCPUFeatures(CPUFeatures *features);\n");
        s.append("int checkCPUFeatures(uint8_t *buildtimeFeaturesPtr);\n");
        s.append("int checkCPUFeaturesOrExit(uint8_t *buildtimeFeaturesPtr, const char *errorMessage);\n");
        Files.writeString(dir.resolve(arch + "cpufeatures.h"), s);
    }
}
