package org.fleetrec.agent.process;

/**
 * The container a process runs in, as its cgroup names it: the runtime's full id, and the
 * runtime ({@code docker}, {@code containerd}, {@code cri-o}, {@code podman}, {@code lxc}) when
 * the cgroup's name tells it, else null.
 */
public record Container(String id, String runtime) {
}
