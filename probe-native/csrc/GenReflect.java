import java.nio.file.*;
import java.util.*;
import java.util.zip.*;

/** Writes reflect-config.json registering every class of the given packages in a jar, fully (picocli, Jackson). */
public class GenReflect {
    public static void main(String[] a) throws Exception {
        List<String> prefixes = Arrays.asList(a).subList(2, a.length);
        StringBuilder s = new StringBuilder("[\n");
        try (ZipFile z = new ZipFile(a[0])) {
            for (ZipEntry e : Collections.list(z.entries())) {
                String n = e.getName();
                if (!n.endsWith(".class") || n.endsWith("module-info.class") || n.startsWith("META-INF/")) continue;
                String c = n.substring(0, n.length() - 6).replace('/', '.');
                if (prefixes.stream().noneMatch(c::startsWith)) continue;
                if (s.length() > 2) s.append(",\n");
                s.append("{\"name\":\"").append(c).append("\",\"allDeclaredConstructors\":true,\"allPublicConstructors\":true,")
                 .append("\"allDeclaredMethods\":true,\"allPublicMethods\":true,\"allDeclaredFields\":true,\"allPublicFields\":true}");
            }
        }
        Files.writeString(Path.of(a[1]), s.append("\n]\n"));
    }
}
