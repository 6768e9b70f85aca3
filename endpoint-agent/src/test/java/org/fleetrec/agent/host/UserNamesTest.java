package org.fleetrec.agent.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class UserNamesTest {
    @TempDir
    Path dir;

    @Test
    void followsChangesToThePasswdFile() throws Exception {
        Path passwd = dir.resolve("passwd");
        Path group = dir.resolve("group");
        Files.writeString(passwd, "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
        Files.writeString(group, "root:x:0:\n");
        UserNames names = new UserNames(passwd, group);
        assertEquals("alice", names.user("1000"));
        assertNull(names.user("4294967295"), "the unset id has no name");

        Files.writeString(passwd, "root:x:0:0::/root:/bin/sh\nalicia:x:1000:1000::/home/alice:/bin/sh\n");
        Files.setLastModifiedTime(passwd, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        Thread.sleep(1_100);
        assertEquals("alicia", names.user("1000"), "a renamed user shows under the new name");
    }
}
