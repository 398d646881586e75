package zinit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** user/group resolution against fixture passwd and group files. */
class IdentityTest {
  @TempDir Path dir;

  private UserDatabase db() throws Exception {
    Path passwd = Files.writeString(dir.resolve("passwd"), """
        root:x:0:0:root:/root:/bin/bash
        www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
        # a comment
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
        """);
    Path group = Files.writeString(dir.resolve("group"), """
        root:x:0:
        www-data:x:33:
        adm:x:4:syslog,www-data
        video:x:44:www-data
        nogroup:x:65534:
        """);
    return UserDatabase.read(passwd, group);
  }

  @Test
  void userByNameGetsPrimaryGroupMembershipsAndHome() throws Exception {
    Identity id = db().resolve("www-data", null);
    assertThat(id.uid()).isEqualTo(33);
    assertThat(id.gid()).isEqualTo(33);
    assertThat(id.groups()).containsExactly(33, 4, 44);
    assertThat(id.home()).isEqualTo("/var/www");
    assertThat(id.userName()).isEqualTo("www-data");
  }

  @Test
  void userByUidAndGroupByName() throws Exception {
    Identity id = db().resolve("65534", "adm");
    assertThat(id.userName()).isEqualTo("nobody");
    assertThat(id.gid()).isEqualTo(4);
    assertThat(id.groups()).containsExactly(4);
  }

  @Test
  void uidWithoutEntryNeedsAGroup() throws Exception {
    assertThatThrownBy(() -> db().resolve("4242", null)).hasMessageContaining("give group too");
    Identity id = db().resolve("4242", "4243");
    assertThat(id.uid()).isEqualTo(4242);
    assertThat(id.gid()).isEqualTo(4243);
    assertThat(id.home()).isEqualTo("/");
    assertThat(id.groups()).isEqualTo(List.of(4243));
  }

  @Test
  void unknownNamesAreRefused() throws Exception {
    assertThatThrownBy(() -> db().resolve("nosuchuser", null)).hasMessageContaining("no user 'nosuchuser'");
    assertThatThrownBy(() -> db().resolve("root", "nosuchgroup")).hasMessageContaining("no group 'nosuchgroup'");
  }
}
