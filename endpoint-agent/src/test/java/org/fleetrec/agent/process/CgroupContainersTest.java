package org.fleetrec.agent.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** /proc/<pid>/cgroup as runtimes and systemd write it, on cgroup v1, v2 and hybrid hosts. */
class CgroupContainersTest {
    private static final String ID = "3f4e9a1c0b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";
    private static final String OTHER = "9c0d1e2f3f4e9a1c0b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b";

    private static Container container(String text) {
        Optional<Container> c = CgroupContainers.parse(text);
        assertTrue(c.isPresent(), () -> "a container in:\n" + text);
        return c.get();
    }

    private static void host(String text) {
        assertEquals(Optional.empty(), CgroupContainers.parse(text), text);
    }

    @Test
    void dockerOnCgroupV1WithTheCgroupfsDriver() {
        Container c = container("""
                12:pids:/docker/%1$s
                11:memory:/docker/%1$s
                10:cpu,cpuacct:/docker/%1$s
                9:devices:/docker/%1$s
                1:name=systemd:/docker/%1$s
                0::/system.slice/containerd.service
                """.formatted(ID));
        assertEquals(new Container(ID, "docker"), c);
    }

    @Test
    void dockerOnCgroupV2WithTheSystemdDriver() {
        assertEquals(new Container(ID, "docker"), container("0::/system.slice/docker-" + ID + ".scope\n"));
        assertEquals(new Container(ID, "docker"), container("0::/docker/" + ID + "\n"));
    }

    @Test
    void hybridHostsReadTheUnifiedLineFirst() {
        // Docker on a hybrid host: v1 controllers under /docker, the unified hierarchy under system.slice.
        Container c = container("""
                9:name=systemd:/system.slice/docker-%1$s.scope
                4:memory:/system.slice/docker-%1$s.scope
                1:cpu:/
                0::/system.slice/docker-%1$s.scope
                """.formatted(ID));
        assertEquals(new Container(ID, "docker"), c);
    }

    @Test
    void kubernetesWithContainerdAndCriO() {
        assertEquals(new Container(ID, "containerd"), container("0::/kubepods.slice/kubepods-burstable.slice/"
                + "kubepods-burstable-pod6b1f2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-" + ID + ".scope\n"));
        assertEquals(new Container(ID, "cri-o"), container("0::/kubepods.slice/kubepods-besteffort.slice/"
                + "kubepods-besteffort-pod0e1f2a3b_4c5d_6b1f_2c3d_4e5f6a7b8c9d.slice/crio-" + ID + ".scope\n"));
        // cgroupfs driver on v1: the id is bare and the runtime is not named.
        assertEquals(new Container(ID, null), container("""
                11:cpu,cpuacct:/kubepods/besteffort/pod8e9f0a1b-2c3d-4e5f-6a7b-8c9d0e1f2a3b/%1$s
                1:name=systemd:/kubepods/besteffort/pod8e9f0a1b-2c3d-4e5f-6a7b-8c9d0e1f2a3b/%1$s
                """.formatted(ID)));
    }

    @Test
    void podmanRootfulAndRootless() {
        assertEquals(new Container(ID, "podman"), container("0::/machine.slice/libpod-" + ID + ".scope/container\n"));
        assertEquals(new Container(ID, "podman"), container(
                "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope\n"));
        assertEquals(new Container(ID, "containerd"), container("0::/system.slice/nerdctl-" + ID + ".scope\n"));
    }

    @Test
    void monitorsNextToContainersAreHostProcesses() {
        host("0::/machine.slice/libpod-conmon-" + ID + ".scope\n");
        host("0::/system.slice/crio-conmon-" + ID + ".scope\n");
        host("0::/lxc.monitor.web1\n");
    }

    @Test
    void hostProcesses() {
        host("0::/user.slice/user-1000.slice/session-3.scope\n");
        host("0::/init.scope\n");
        host("0::/system.slice/docker.service\n");
        host("0::/system.slice/containerd.service\n");
        host("""
                9:name=systemd:/
                8:pids:/
                4:memory:/process_api/d5ce6956e0c0e7f94897ec2725965b63
                1:cpu:/
                0::/
                """);
    }

    @Test
    void theInnermostOfNestedContainersAndSystemdInsideOne() {
        assertEquals(new Container(OTHER, "docker"), container("0::/system.slice/docker-" + ID + ".scope/docker/" + OTHER + "\n"));
        assertEquals(new Container(ID, "docker"), container("0::/system.slice/docker-" + ID + ".scope/init.scope\n"));
        // Read from a cgroup namespace of its own, the path climbs out of it.
        assertEquals(new Container(ID, "docker"), container("0::/../../system.slice/docker-" + ID + ".scope\n"));
    }

    @Test
    void lxcPayloads() {
        assertEquals(new Container("web1", "lxc"), container("0::/lxc.payload.web1\n"));
    }

    @Test
    void malformedAndHostileTexts() {
        host("");
        host(null);
        host("garbage without colons\n\n\0\0");
        host("0::/system.slice/docker-" + ID.substring(1) + ".scope\n"); // 63 hex digits
        host("0::/system.slice/docker-" + ID.toUpperCase() + ".scope\n");
        host("0::/system.slice/docker-" + ID + "x.scope\n");
        host("0::/system.slice/docker-" + ID + ".scope.bak\n");
        host("0::/" + "a/".repeat(50_000) + "\n");
        // Only the first lines are read: a match past them is not looked for.
        host("1:cpu:/\n".repeat(CgroupContainers.MAX_LINES) + "0::/docker/" + ID + "\n");
        assertEquals(new Container(ID, "docker"), container("1:cpu:/\n".repeat(CgroupContainers.MAX_LINES - 1) + "0::/docker/" + ID + "\n"));
        // A path holding ':' stays one path.
        assertEquals(new Container(ID, "docker"), container("0::/odd:name/docker-" + ID + ".scope\n"));
    }
}
