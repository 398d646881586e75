import java.lang.module.*;
public class GenExports {
    public static void main(String[] a) {
        String to = "org.graalvm.nativeimage.builder,org.graalvm.nativeimage.base,org.graalvm.nativeimage.pointsto,org.graalvm.nativeimage.objectfile,jdk.graal.compiler,org.graalvm.nativeimage.configure,org.graalvm.truffle.compiler";
        for (String m : new String[]{"java.base","jdk.internal.vm.ci","java.management","jdk.management","jdk.jfr","java.xml","java.compiler","jdk.internal.md","jdk.zipfs"}) {
            ModuleFinder.ofSystem().find(m).ifPresent(r -> {
                for (String p : r.descriptor().packages()) {
                    System.out.println("--add-exports=" + m + "/" + p + "=" + to);
                    System.out.println("--add-opens=" + m + "/" + p + "=" + to);
                }
            });
        }
    }
}
