package dev.echelon.supervisor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Hands out local ports for backends without a fixed one: the next free port from a base, never the same twice. */
public final class PortAllocator {

    private final int base;
    private final Set<Integer> taken = new HashSet<>();
    private int next;

    public PortAllocator(int base) {
        this.base = base;
        this.next = base;
    }

    /** Marks a fixed port from the registry as used. */
    public synchronized void reserve(int port) {
        taken.add(port);
    }

    public synchronized int allocate() {
        for (int tries = 0; tries < 2000; tries++) {
            int port = next++;
            if (next > 65535) {
                next = base;
            }
            if (!taken.contains(port) && free(port)) {
                taken.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free local port from " + base);
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
