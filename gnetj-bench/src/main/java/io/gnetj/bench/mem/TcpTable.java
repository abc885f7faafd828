package io.gnetj.bench.mem;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's TCP socket tables ({@code /proc/PID/net/tcp} and {@code tcp6}), read for the
 * server side of one listening port: how many connections are established and how many bytes
 * wait in their receive queues, not yet read by the server.
 *
 * <p>This is how the probe knows the server has read a byte, without sleeping and hoping: the
 * next byte is sent only once every receive queue is empty, so each byte is a read of its own.
 *
 * <pre>
 *   sl  local_address rem_address   st tx_queue:rx_queue ...
 *    0: 0100007F:A3F1 0100007F:8F2C 01 00000000:00000007 ...
 *                 ^port              ^ESTABLISHED      ^bytes the server has not read
 * </pre>
 *
 * <p>Threading: stateless; any thread.
 */
final class TcpTable {

    private static final String ESTABLISHED = "01";

    private TcpTable() {
    }

    /** Established server-side sockets of a port, and the bytes queued unread in them. */
    record Summary(int established, long unreadBytes) {
    }

    /**
     * Reads the table as {@code pid} sees it (its network namespace) for local port {@code port}.
     *
     * @throws IOException if the process is gone or the table unreadable
     */
    static Summary read(long pid, int port) throws IOException {
        String portHex = String.format(":%04X", port);
        int established = 0;
        long unread = 0;
        // A Java server's socket is dual-stack: its IPv4 connections are listed in tcp6, as
        // IPv4-mapped addresses. Read both, so any server is seen.
        for (String table : new String[] {"tcp", "tcp6"}) {
            Path path = Path.of("/proc", Long.toString(pid), "net", table);
            if (table.equals("tcp6") && !Files.exists(path)) {
                continue; // IPv6 disabled
            }
            try (BufferedReader r = Files.newBufferedReader(path, StandardCharsets.US_ASCII)) {
                String line = r.readLine(); // the header
                while ((line = r.readLine()) != null) {
                    Summary one = parse(line, portHex);
                    if (one != null) {
                        established += one.established();
                        unread += one.unreadBytes();
                    }
                }
            }
        }
        return new Summary(established, unread);
    }

    /** One row: {@code (1, rx_queue)} if it is an established socket on local {@code portHex}, else null. */
    static Summary parse(String line, String portHex) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 5 || !f[1].endsWith(portHex) || !f[3].equals(ESTABLISHED)) {
            return null;
        }
        String queues = f[4];
        long rx = Long.parseLong(queues.substring(queues.indexOf(':') + 1), 16);
        return new Summary(1, rx);
    }
}
