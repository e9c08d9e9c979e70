import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Open-loop, constant-rate HTTP/1.1 load generator (JDK only; run with {@code java bench/LoadGen.java ...}).
 *
 * <p>Request {@code i} of a run is <em>intended</em> to be sent at {@code start + i / rate}, whatever happened to
 * earlier requests; its latency is measured from that intended time to the last byte of its response, so a stalled
 * server is charged for every request it delayed (no coordinated omission). A request that finds no idle keep-alive
 * connection waits in a client-side queue, and that wait counts too.
 *
 * <p>Two working threads only, so the generator leaves the shared cores to the server: a <b>sender</b> that
 * sleeps ({@code parkNanos}, no spinning) until each intended time and writes the request on an idle connection,
 * and a <b>receiver</b> on an NIO selector that parses responses (Content-Length or chunked) and hands the
 * connection to the next waiting request. (A third thread wakes at slice boundaries to read CPU counters from
 * /proc, so that reading them never delays a send.) No pipelining: one request per connection at a time; connections are opened on
 * demand (up to {@code --max-conns} per target) and reused LIFO, so only as many stay hot as the load needs.
 *
 * <p>What it runs: a warm-up of rising rates, continued until the server's JIT compilers are nearly idle, then for
 * each fixed rate a warm-up and {@code --slices} rounds alternating
 * direct / echelon slices (both targets see the same machine conditions), then a ramp of rising rates (same
 * interleaving) until Echelon misses p99 ≤ limit, errors ≤ limit or achieved ≥ 95 % of offered. It prints a
 * Markdown report and writes it, plus JSON, to {@code --out}.
 */
public final class LoadGen {

    // ------------------------------------------------------------------ options

    static String directUrl;
    static String echelonUrl;
    static String path = "/v1/chat/completions";
    static String body = "{\"model\":\"frontdoor\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":4}";
    static int[] rates = {100, 500, 1000};
    static double warmupS = 3;
    static double durationS = 10;
    static int slices = 5;
    /** rate:seconds steps, both targets alternating every half second, not recorded. */
    static String jitWarmup = "200:2,500:3,1000:4,2000:1";
    static double jitSettleS = 20;
    static int jitSettleRate = 1000;
    static int[] rampRates = {1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000};
    static double rampWarmupS = 1;
    static double rampDurationS = 3;
    static int rampSlices = 1;
    static double p99LimitMs = 50;
    static double errorLimit = 0.01;
    static double achievedMin = 0.95;
    static double drainS = 3;
    static int maxConns = 256;
    static int serverPid = -1;
    static String outDir = null;
    static String machine = null;
    static String note = null;
    static double targetP50Ms = 1, targetP99Ms = 5;
    static int targetRate = 500;

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--direct" -> { directUrl = v; i++; }
                case "--echelon" -> { echelonUrl = v; i++; }
                case "--path" -> { path = v; i++; }
                case "--body" -> { body = v; i++; }
                case "--rates" -> { rates = ints(v); i++; }
                case "--warmup" -> { warmupS = Double.parseDouble(v); i++; }
                case "--duration" -> { durationS = Double.parseDouble(v); i++; }
                case "--slices" -> { slices = Integer.parseInt(v); i++; }
                case "--jit-warmup" -> { jitWarmup = v; i++; }
                case "--jit-settle" -> { jitSettleS = Double.parseDouble(v); i++; }
                case "--jit-settle-rate" -> { jitSettleRate = Integer.parseInt(v); i++; }
                case "--ramp" -> { rampRates = v.isBlank() || v.equals("none") ? new int[0] : ints(v); i++; }
                case "--ramp-warmup" -> { rampWarmupS = Double.parseDouble(v); i++; }
                case "--ramp-duration" -> { rampDurationS = Double.parseDouble(v); i++; }
                case "--ramp-slices" -> { rampSlices = Integer.parseInt(v); i++; }
                case "--p99-limit-ms" -> { p99LimitMs = Double.parseDouble(v); i++; }
                case "--error-limit" -> { errorLimit = Double.parseDouble(v); i++; }
                case "--drain" -> { drainS = Double.parseDouble(v); i++; }
                case "--max-conns" -> { maxConns = Integer.parseInt(v); i++; }
                case "--server-pid" -> { serverPid = Integer.parseInt(v); i++; }
                case "--out" -> { outDir = v; i++; }
                case "--machine" -> { machine = v; i++; }
                case "--note" -> { note = v; i++; }
                default -> {
                    System.err.println("unknown option " + a);
                    System.err.println("usage: java bench/LoadGen.java --direct http://127.0.0.1:PORT --echelon "
                            + "http://127.0.0.1:PORT [--rates 100,500,1000] [--warmup 3] [--duration 10] [--slices 5]"
                            + " [--jit-warmup 200:2,500:3,1000:4,2000:1|none] [--jit-settle 20] [--jit-settle-rate 1000] [--ramp 1500,2000,...|none] [--ramp-duration 3] [--server-pid PID]"
                            + " [--out bench/results] [--max-conns 256]");
                    System.exit(2);
                }
            }
        }
        if (directUrl == null || echelonUrl == null) {
            System.err.println("--direct and --echelon are required");
            System.exit(2);
        }
        new LoadGen().runAll();
    }

    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
    }

    // ------------------------------------------------------------------ model

    /** Where one request goes and where its outcome is recorded (null stats: warm-up, not recorded). */
    static final class Req {
        final long intended;
        final Stats stats;
        long sent;

        Req(long intended, Stats stats) {
            this.intended = intended;
            this.stats = stats;
        }
    }

    /** Outcomes of one target in one run (all its measured slices merged). */
    static final class Stats {
        final String target;
        long[] lat = new long[4096];      // ns from intended send time to the response's last byte
        long[] svc = new long[4096];      // ns from the actual write to the response's last byte
        int n;
        long offered;                     // measured requests scheduled
        long ok;                          // 2xx
        final TreeMap<Integer, Long> statuses = new TreeMap<>();
        long ioErrors;
        long timeouts;
        long receivedInWindow;            // responses of this target received while one of its measured slices ran
        long windowNs;                    // total length of its measured slices
        long serverCpuTicks;              // server process CPU during its measured slices (clock ticks)
        long selfCpuTicks;
        long machineBusyTicks;            // all CPUs, all processes (from /proc/stat)
        long jitTicks;                    // the server's JIT compiler threads

        Stats(String target) {
            this.target = target;
        }

        void add(long latNs, long svcNs) {
            if (n == lat.length) {
                lat = Arrays.copyOf(lat, n * 2);
                svc = Arrays.copyOf(svc, n * 2);
            }
            lat[n] = latNs;
            svc[n] = svcNs;
            n++;
        }

        long errors() {
            return offered - ok;
        }

        double errorRate() {
            return offered == 0 ? 0 : (double) errors() / offered;
        }

        double achieved() {
            return windowNs == 0 ? 0 : receivedInWindow * 1e9 / windowNs;
        }

        long[] sortedLat;
        long[] sortedSvc;

        void finish() {
            sortedLat = Arrays.copyOf(lat, n);
            Arrays.sort(sortedLat);
            sortedSvc = Arrays.copyOf(svc, n);
            Arrays.sort(sortedSvc);
        }

        /** Percentile in ms (nearest-rank) of latency from the intended send time. */
        double p(double q) {
            return pct(sortedLat, q);
        }

        double svcP(double q) {
            return pct(sortedSvc, q);
        }

        static double pct(long[] s, double q) {
            if (s.length == 0) {
                return Double.NaN;
            }
            int idx = (int) Math.ceil(q * s.length) - 1;
            return s[Math.max(0, Math.min(s.length - 1, idx))] / 1e6;
        }

        double mean() {
            if (n == 0) {
                return Double.NaN;
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += lat[i];
            }
            return sum / n / 1e6;
        }

        double max() {
            return n == 0 ? Double.NaN : sortedLat[n - 1] / 1e6;
        }

        /** Server CPU per measured request, in microseconds. */
        double serverCpuUsPerReq() {
            return offered == 0 ? Double.NaN : serverCpuTicks * (1e6 / CLK_TCK) / offered;
        }

        double serverCpuPct() {
            return windowNs == 0 ? Double.NaN : serverCpuTicks * (1e9 / CLK_TCK) / windowNs * 100;
        }

        double selfCpuPct() {
            return windowNs == 0 ? Double.NaN : selfCpuTicks * (1e9 / CLK_TCK) / windowNs * 100;
        }

        /** CPU of the server's JIT compiler threads, % of one core: near 0 once the server is warm. */
        double jitCpuPct() {
            return windowNs == 0 ? Double.NaN : jitTicks * (1e9 / CLK_TCK) / windowNs * 100;
        }

        /** CPU used by everything but the server and this generator (other jobs on the machine), % of one core. */
        double otherCpuPct() {
            return windowNs == 0 ? Double.NaN
                    : Math.max(0, machineBusyTicks - serverCpuTicks - selfCpuTicks) * (1e9 / CLK_TCK) / windowNs * 100;
        }

        String errorSummary() {
            StringBuilder sb = new StringBuilder();
            statuses.forEach((code, count) -> {
                if (code < 200 || code >= 300) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(count).append("×").append(code);
                }
            });
            if (ioErrors > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(ioErrors).append("×io");
            }
            if (timeouts > 0) {
                sb.append(sb.length() == 0 ? "" : ", ").append(timeouts).append("×timeout");
            }
            return sb.length() == 0 ? "0" : errors() + " (" + sb + ")";
        }
    }

    /** One stretch of a run's schedule: which target gets the requests and whether they are measured. */
    record Segment(long fromNs, long toNs, Target target, Stats stats) {
    }

    static final class Target {
        final String name;
        final InetSocketAddress addr;
        final byte[] request;
        final ArrayDeque<Conn> idle = new ArrayDeque<>();
        final List<Conn> all = new ArrayList<>();
        final ArrayDeque<Req> waiting = new ArrayDeque<>();
        int peakConns;

        Target(String name, String baseUrl) {
            this.name = name;
            URI u = URI.create(baseUrl);
            if (!"http".equals(u.getScheme())) {
                throw new IllegalArgumentException("only http:// URLs: " + baseUrl);
            }
            int port = u.getPort() < 0 ? 80 : u.getPort();
            this.addr = new InetSocketAddress(u.getHost(), port);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + port
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + b.length
                    + "\r\n\r\n";
            byte[] h = head.getBytes(StandardCharsets.US_ASCII);
            request = Arrays.copyOf(h, h.length + b.length);
            System.arraycopy(b, 0, request, h.length, b.length);
        }
    }

    static final class Conn {
        final Target target;
        final SocketChannel ch;
        final ByteBuffer out;
        ByteBuffer in = ByteBuffer.allocate(8192);
        Req req;

        Conn(Target target, SocketChannel ch) {
            this.target = target;
            this.ch = ch;
            this.out = ByteBuffer.wrap(target.request);
        }
    }

    // ------------------------------------------------------------------ engine

    static final double CLK_TCK = 100.0; // USER_HZ on Linux

    final Target direct = new Target("direct", directUrl);
    final Target echelon = new Target("echelon", echelonUrl);
    final ReentrantLock lock = new ReentrantLock();
    final Selector selector;
    final ConcurrentLinkedQueue<Conn> toRegister = new ConcurrentLinkedQueue<>();
    volatile boolean running = true;
    volatile Segment[] current = new Segment[0];
    volatile long currentStart;
    final Thread receiver;

    LoadGen() throws IOException {
        selector = Selector.open();
        receiver = new Thread(this::receiveLoop, "receiver");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** Runs a schedule at {@code rate} req/s over the given segments, then waits for stragglers (drain). */
    long[] run(int rate, Segment[] segs) {
        long total = segs[segs.length - 1].toNs();
        double interval = 1e9 / rate;
        long start = System.nanoTime() + 5_000_000;
        currentStart = start;
        current = segs;
        Thread sampler = new Thread(() -> sampleCpu(start, segs), "cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
        int segIdx = 0;
        long[] lagNs = new long[(int) Math.min(Integer.MAX_VALUE - 8, (long) (total / interval) + 16)];
        int lagN = 0;
        for (long i = 0; ; i++) {
            long off = (long) (i * interval);
            if (off >= total) {
                break;
            }
            long t = start + off;
            while (segIdx + 1 < segs.length && off >= segs[segIdx + 1].fromNs()) {
                segIdx++;
            }
            Segment seg = segs[segIdx];
            long now;
            while ((now = System.nanoTime()) < t) {
                LockSupport.parkNanos(t - now);
            }
            if (lagN < lagNs.length) {
                lagNs[lagN++] = now - t;
            }
            Stats st = seg.stats();
            if (st != null) {
                st.offered++;
            }
            submit(seg.target(), new Req(t, st));
        }
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        current = new Segment[0];
        drain((long) (drainS * 1e9));
        long[] lag = Arrays.copyOf(lagNs, lagN);
        Arrays.sort(lag);
        return lag;
    }

    /**
     * Reads CPU counters at every segment boundary and charges the differences to the segment that just ended.
     * On its own thread so that reading /proc never delays a send.
     */
    static void sampleCpu(long start, Segment[] segs) {
        long cpuServer = serverTicks(), cpuSelf = selfTicks(), idle = idleTicks(), cpuJit = jitTicks();
        long at = System.nanoTime();
        for (int k = 0; k < segs.length; k++) {
            long until = start + segs[k].toNs();
            long now;
            while ((now = System.nanoTime()) < until) {
                LockSupport.parkNanos(until - now);
            }
            long sv = serverTicks(), me = selfTicks(), id = idleTicks(), jit = jitTicks();
            now = System.nanoTime();
            Stats st = segs[k].stats();
            if (st != null) {
                synchronized (st) {
                    st.serverCpuTicks += sv - cpuServer;
                    st.selfCpuTicks += me - cpuSelf;
                    if (idle >= 0 && id >= 0) {
                        st.machineBusyTicks += Math.max(0, Math.round((now - at) * CPUS * CLK_TCK / 1e9) - (id - idle));
                    }
                    st.jitTicks += Math.max(0, jit - cpuJit);
                }
            }
            cpuServer = sv;
            cpuSelf = me;
            idle = id;
            cpuJit = jit;
            at = now;
        }
    }

    void submit(Target t, Req r) {
        lock.lock();
        try {
            t.waiting.addLast(r);
            dispatch(t);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: gives waiting requests idle (or new) connections. */
    void dispatch(Target t) {
        while (!t.waiting.isEmpty()) {
            Conn c = t.idle.pollFirst();
            if (c == null) {
                if (t.all.size() >= maxConns) {
                    return;
                }
                try {
                    c = open(t);
                } catch (IOException e) {
                    Req r = t.waiting.pollFirst();
                    if (r.stats != null) {
                        r.stats.ioErrors++;
                    }
                    continue;
                }
            }
            Req r = t.waiting.pollFirst();
            send(c, r);
        }
    }

    Conn open(Target t) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(t.addr);
            ch.configureBlocking(false);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        Conn c = new Conn(t, ch);
        t.all.add(c);
        t.peakConns = Math.max(t.peakConns, t.all.size());
        toRegister.add(c);
        selector.wakeup();
        return c;
    }

    /** Under the lock. */
    void send(Conn c, Req r) {
        c.req = r;
        c.out.clear();
        r.sent = System.nanoTime();
        try {
            int spins = 0;
            while (c.out.hasRemaining()) {
                if (c.ch.write(c.out) == 0 && ++spins > 100_000) {
                    throw new IOException("send buffer full");
                }
            }
        } catch (IOException e) {
            fail(c);
        }
    }

    /** Under the lock: a broken or closed connection; its request (if any) is an I/O error. */
    void fail(Conn c) {
        Req r = c.req;
        c.req = null;
        if (r != null && r.stats != null) {
            r.stats.ioErrors++;
        }
        discard(c);
    }

    void discard(Conn c) {
        c.target.idle.remove(c);
        c.target.all.remove(c);
        try {
            c.ch.close();
        } catch (IOException ignored) {
        }
    }

    /** Waits for outstanding requests; those still unanswered after {@code maxNs} are timeouts. */
    void drain(long maxNs) {
        long deadline = System.nanoTime() + maxNs;
        while (System.nanoTime() < deadline) {
            lock.lock();
            try {
                if (outstanding(direct) + outstanding(echelon) == 0) {
                    return;
                }
            } finally {
                lock.unlock();
            }
            LockSupport.parkNanos(2_000_000);
        }
        lock.lock();
        try {
            for (Target t : List.of(direct, echelon)) {
                for (Req r : t.waiting) {
                    if (r.stats != null) {
                        r.stats.timeouts++;
                    }
                }
                t.waiting.clear();
                for (Conn c : new ArrayList<>(t.all)) {
                    if (c.req != null) {
                        if (c.req.stats != null) {
                            c.req.stats.timeouts++;
                        }
                        c.req = null;
                        discard(c);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    int outstanding(Target t) {
        int n = t.waiting.size();
        for (Conn c : t.all) {
            if (c.req != null) {
                n++;
            }
        }
        return n;
    }

    void receiveLoop() {
        while (running) {
            try {
                selector.select(100);
                Conn nc;
                while ((nc = toRegister.poll()) != null) {
                    if (nc.ch.isOpen()) {
                        nc.ch.register(selector, SelectionKey.OP_READ, nc);
                    }
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    if (k.isValid()) {
                        readable((Conn) k.attachment());
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException e) {
                e.printStackTrace();
            }
        }
    }

    void readable(Conn c) {
        int n;
        try {
            if (!c.in.hasRemaining()) {
                c.in = ByteBuffer.allocate(c.in.capacity() * 2).put(c.in.flip());
            }
            n = c.ch.read(c.in);
        } catch (IOException e) {
            n = -1;
        }
        long now = System.nanoTime();
        if (n < 0) {
            lock.lock();
            try {
                fail(c);
                dispatch(c.target);
            } finally {
                lock.unlock();
            }
            return;
        }
        int parsed = parse(c.in.array(), c.in.position());
        if (parsed < 0) {
            return; // incomplete
        }
        int status = parsed & 0xFFFF;
        boolean close = (parsed & CLOSE) != 0;
        c.in.clear();
        lock.lock();
        try {
            Req r = c.req;
            c.req = null;
            if (r != null) {
                record(c.target, r, status, now);
            }
            if (close || r == null) {
                discard(c);
            } else {
                c.target.idle.addFirst(c);
            }
            dispatch(c.target);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock (receiver thread). */
    void record(Target t, Req r, int status, long now) {
        Segment[] segs = current;
        long off = now - currentStart;
        for (Segment s : segs) {
            if (off >= s.fromNs() && off < s.toNs()) {
                if (s.stats() != null && s.target() == t) {
                    s.stats().receivedInWindow++;
                }
                break;
            }
        }
        Stats st = r.stats;
        if (st == null) {
            return;
        }
        st.statuses.merge(status, 1L, Long::sum);
        if (status >= 200 && status < 300) {
            st.ok++;
        }
        st.add(now - r.intended, now - r.sent);
    }

    static final int CLOSE = 0x10000;

    /**
     * Parses an HTTP/1.1 response in {@code b[0..len)}: -1 while incomplete, else the status code, or'ed with
     * {@link #CLOSE} when the server will close the connection. Handles Content-Length and chunked bodies (no
     * trailers). Allocation-free for the usual Content-Length response.
     */
    static int parse(byte[] b, int len) {
        int he = -1;
        for (int i = 3; i < len; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                he = i + 1;
                break;
            }
        }
        if (he < 0 || len < 12) {
            return -1;
        }
        int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        long contentLength = -1;
        boolean chunked = false, close = false;
        int ls = 0;
        for (int i = 0; i < he - 1; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                if (ls > 0 && i > ls) {
                    if (startsWithIgnoreCase(b, ls, i, "content-length:")) {
                        contentLength = 0;
                        for (int k = ls + 15; k < i; k++) {
                            if (b[k] >= '0' && b[k] <= '9') {
                                contentLength = contentLength * 10 + (b[k] - '0');
                            }
                        }
                    } else if (startsWithIgnoreCase(b, ls, i, "transfer-encoding:")) {
                        chunked = new String(b, ls, i - ls, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT)
                                .contains("chunked");
                    } else if (startsWithIgnoreCase(b, ls, i, "connection:")) {
                        close = new String(b, ls, i - ls, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT)
                                .contains("close");
                    }
                }
                ls = i + 2;
            }
        }
        int result = status | (close ? CLOSE : 0);
        if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
            return result;
        }
        if (chunked) {
            int p = he;
            while (true) {
                int eol = -1;
                for (int i = p; i + 1 < len; i++) {
                    if (b[i] == '\r' && b[i + 1] == '\n') {
                        eol = i;
                        break;
                    }
                }
                if (eol < 0) {
                    return -1;
                }
                String sz = new String(b, p, eol - p, StandardCharsets.US_ASCII);
                int semi = sz.indexOf(';');
                int size = Integer.parseInt((semi >= 0 ? sz.substring(0, semi) : sz).trim(), 16);
                if (size == 0) {
                    return eol + 4 <= len ? result : -1;
                }
                p = eol + 2 + size + 2;
                if (p > len) {
                    return -1;
                }
            }
        }
        if (contentLength < 0) {
            return -1; // read-until-close bodies are not used by these servers
        }
        return len >= he + contentLength ? result : -1;
    }

    static boolean startsWithIgnoreCase(byte[] b, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase((char) b[from + i]) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static long serverTicks() {
        return serverPid > 0 ? ticks("/proc/" + serverPid + "/stat") : 0;
    }

    static long selfTicks() {
        return ticks("/proc/self/stat");
    }

    static long ticks(String file) {
        try {
            String s = Files.readString(Path.of(file));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU ticks of the server's JIT compiler threads (HotSpot names them "C1/C2 CompilerThreadN"). */
    static long jitTicks() {
        if (serverPid <= 0) {
            return 0;
        }
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc/" + serverPid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).contains("Compiler")) {
                        sum += ticks(t.resolve("stat").toString());
                    }
                } catch (IOException | RuntimeException ignored) {
                    // thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return sum;
    }

    /**
     * Idle + iowait clock ticks of all CPUs (first line of /proc/stat). With a tickless kernel these two are
     * measured exactly while the busy fields are sampled at each tick, which misses much of a load made of short
     * bursts like this one; so busy time is computed as elapsed CPU capacity minus idle.
     */
    static long idleTicks() {
        try (var r = Files.newBufferedReader(Path.of("/proc/stat"))) {
            String[] f = r.readLine().trim().split("\\s+");
            return Long.parseLong(f[4]) + Long.parseLong(f[5]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static final int CPUS = countCpus();

    static int countCpus() {
        try (var lines = Files.lines(Path.of("/proc/stat"))) {
            return (int) Math.max(1, lines.filter(l -> l.matches("cpu\\d+ .*")).count());
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    // ------------------------------------------------------------------ plan

    /** Result of one rate: both targets measured in alternating slices. */
    static final class Step {
        final int rate;
        final Stats d;
        final Stats e;
        final Stats warmD = new Stats("direct");   // warm-up outcomes, reported in the log only
        final Stats warmE = new Stats("echelon");
        long[] lag;

        Step(int rate) {
            this.rate = rate;
            d = new Stats("direct");
            e = new Stats("echelon");
        }

        boolean good(Stats s) {
            return s.n > 0 && s.p(0.99) <= p99LimitMs && s.errorRate() <= errorLimit
                    && s.achieved() >= achievedMin * rate;
        }

        String why(Stats s) {
            List<String> w = new ArrayList<>();
            if (s.n == 0) {
                w.add("no responses");
            } else if (s.p(0.99) > p99LimitMs) {
                w.add(String.format(Locale.ROOT, "p99 %.1f ms > %.0f ms", s.p(0.99), p99LimitMs));
            }
            if (s.errorRate() > errorLimit) {
                w.add(String.format(Locale.ROOT, "errors %.1f%% > %.0f%%", 100 * s.errorRate(), 100 * errorLimit));
            }
            if (s.achieved() < achievedMin * rate) {
                w.add(String.format(Locale.ROOT, "achieved %.0f/s < %.0f%% of offered", s.achieved(),
                        100 * achievedMin));
            }
            return String.join(", ", w);
        }
    }

    /**
     * Builds the schedule of one step: a warm-up alternating both targets every half second (not recorded), then
     * {@code n} rounds of direct-slice, echelon-slice; the order within a round alternates (D E, E D, ...) so
     * neither target always follows the other.
     */
    Step step(int rate, double warmup, double duration, int n) {
        Step s = new Step(rate);
        List<Segment> segs = new ArrayList<>();
        long t = 0;
        long half = 500_000_000L;
        long w = (long) (warmup * 1e9);
        boolean toDirect = true;
        while (t < w) {
            long to = Math.min(w, t + half);
            segs.add(new Segment(t, to, toDirect ? direct : echelon, toDirect ? s.warmD : s.warmE));
            (toDirect ? s.warmD : s.warmE).windowNs += to - t;
            toDirect = !toDirect;
            t = to;
        }
        long slice = n == 0 ? 0 : (long) (duration * 1e9 / n);
        for (int i = 0; i < n && slice > 0; i++) {
            boolean dFirst = i % 2 == 0;
            for (int j = 0; j < 2; j++) {
                boolean d = (j == 0) == dFirst;
                segs.add(new Segment(t, t + slice, d ? direct : echelon, d ? s.d : s.e));
                (d ? s.d : s.e).windowNs += slice;
                t += slice;
            }
        }
        s.lag = run(rate, segs.toArray(new Segment[0]));
        s.d.finish();
        s.e.finish();
        return s;
    }

    void runAll() throws IOException {
        String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        long t0 = System.nanoTime();
        int lastWarmRate = 0;
        for (String w : jitWarmup.split(",")) {
            if (w.isBlank() || w.equals("none")) {
                continue;
            }
            String[] rs = w.split(":");
            lastWarmRate = Integer.parseInt(rs[0].trim());
            double secs = Double.parseDouble(rs[1].trim());
            log("JIT warm-up: %.0f s at %d req/s, both targets alternating", secs, lastWarmRate);
            logWarm(step(lastWarmRate, secs, 0, 0));
        }
        // Then until the server's JIT compilers are nearly idle (they burn whole seconds of CPU after startup and
        // would otherwise be measured as Echelon's cost), at most --jit-settle seconds. The last warm-up step
        // overloads Echelon briefly so that its queueing and 429 paths are compiled too.
        double settled = 0;
        while (lastWarmRate > 0 && serverPid > 0 && settled < jitSettleS) {
            Step s = step(jitSettleRate, 2, 0, 0);
            settled += 2;
            double jit = (s.warmD.jitTicks + s.warmE.jitTicks) * (1e9 / CLK_TCK)
                    / (s.warmD.windowNs + s.warmE.windowNs) * 100;
            logWarm(s);
            if (jit < 5 && s.warmD.errors() + s.warmE.errors() == 0) {
                log("  JIT settled (compiler threads %.0f%% of a core)", jit);
                break;
            }
            log("  JIT still busy (compiler threads %.0f%% of a core) or errors: warming 2 s more", jit);
        }
        List<Step> fixed = new ArrayList<>();
        for (int rate : rates) {
            log("fixed %d req/s: %.0f s warm-up, %d × (%.1f s direct + %.1f s echelon)", rate, warmupS, slices,
                    durationS / slices, durationS / slices);
            Step s = step(rate, warmupS, durationS, slices);
            fixed.add(s);
            logStep(s);
        }
        List<Step> ramp = new ArrayList<>();
        Step lastGood = null;
        String stopReason = rampRates.length == 0 ? "no ramp" : "highest step passed";
        for (int rate : rampRates) {
            log("ramp %d req/s", rate);
            Step s = step(rate, rampWarmupS, rampDurationS, rampSlices);
            ramp.add(s);
            logStep(s);
            if (!s.good(s.e)) {
                stopReason = "echelon at " + rate + " req/s: " + s.why(s.e);
                if (!s.good(s.d)) {
                    stopReason += "; direct also failed (" + s.why(s.d) + ")";
                }
                break;
            }
            lastGood = s;
            if (!s.good(s.d)) {
                stopReason = "direct path failed at " + rate + " req/s (" + s.why(s.d)
                        + "): the backend/generator limit, not Echelon's";
                break;
            }
        }
        running = false;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        String md = markdown(started, elapsed, fixed, ramp, lastGood, stopReason);
        System.out.println();
        System.out.println(md);
        if (outDir != null) {
            Path dir = Path.of(outDir);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("latest.md"), md);
            Files.writeString(dir.resolve("latest.json"), json(started, elapsed, fixed, ramp, lastGood, stopReason));
            log("wrote %s and %s", dir.resolve("latest.md"), dir.resolve("latest.json"));
        }
    }

    void logWarm(Step s) {
        s.warmD.finish();
        s.warmE.finish();
        log("  warm-up: direct p50 %.2f p99 %.2f ms, errors %s | echelon p50 %.2f p99 %.2f ms, errors %s | JIT %.0f%%",
                s.warmD.p(0.5), s.warmD.p(0.99), s.warmD.errorSummary(), s.warmE.p(0.5), s.warmE.p(0.99),
                s.warmE.errorSummary(), (s.warmD.jitTicks + s.warmE.jitTicks) * (1e9 / CLK_TCK)
                        / Math.max(1, s.warmD.windowNs + s.warmE.windowNs) * 100);
    }

    void logStep(Step s) {
        for (Stats st : List.of(s.d, s.e)) {
            log("  %-7s p50 %6.2f  p90 %6.2f  p99 %6.2f  max %7.2f ms | achieved %6.0f/s | errors %s | conns %d | "
                            + "server CPU %3.0f%% (%4.0f µs/req, JIT %2.0f%%), loadgen %3.0f%%, other %3.0f%%",
                    st.target, st.p(0.5), st.p(0.9), st.p(0.99), st.max(), st.achieved(), st.errorSummary(),
                    (st == s.d ? direct : echelon).peakConns, st.serverCpuPct(), st.serverCpuUsPerReq(),
                    st.jitCpuPct(), st.selfCpuPct(), st.otherCpuPct());
        }
        log("  added   p50 %+6.2f  p99 %+6.2f ms | sender lag p99 %.3f ms max %.3f ms", s.e.p(0.5) - s.d.p(0.5),
                s.e.p(0.99) - s.d.p(0.99), Stats.pct(s.lag, 0.99), Stats.pct(s.lag, 1.0));
    }

    static void log(String fmt, Object... args) {
        System.err.println(String.format(Locale.ROOT, fmt, args));
    }

    // ------------------------------------------------------------------ report

    static String f(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String signed(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%+.2f", v);
    }

    String markdown(String started, double elapsed, List<Step> fixed, List<Step> ramp, Step lastGood,
            String stopReason) {
        StringBuilder sb = new StringBuilder();
        sb.append("## API latency: Echelon vs straight to the fake backend\n\n");
        sb.append("Run ").append(started).append(machine == null ? "" : " on " + machine)
                .append(String.format(Locale.ROOT, ", %.0f s. ", elapsed))
                .append("Open-loop constant rate, non-streaming `POST ").append(path).append("`, max_tokens 4, ")
                .append("mock backend with zero simulated delay; latency from the intended send time; ")
                .append(String.format(Locale.ROOT, "per rate %.0f s warm-up then %.0f s per target in %d alternating slices.",
                        warmupS, durationS, slices))
                .append(" Times in ms.");
        if (note != null) {
            sb.append(' ').append(note);
        }
        sb.append("\n\n");
        sb.append("| rate (req/s) | direct p50 | direct p99 | echelon p50 | echelon p99 | added p50 | added p99 | "
                + "achieved d / e (req/s) | errors d / e | other CPU |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        double worstOther = 0;
        for (Step s : fixed) {
            double other = Math.max(s.d.otherCpuPct(), s.e.otherCpuPct());
            worstOther = Math.max(worstOther, other);
            sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | **%s** | **%s** | %.0f / %.0f | %s / %s | %.0f%% |\n",
                    s.rate, f(s.d.p(0.5)), f(s.d.p(0.99)), f(s.e.p(0.5)), f(s.e.p(0.99)),
                    signed(s.e.p(0.5) - s.d.p(0.5)), signed(s.e.p(0.99) - s.d.p(0.99)), s.d.achieved(),
                    s.e.achieved(), s.d.errorSummary(), s.e.errorSummary(), other));
        }
        sb.append("\n_other CPU_: CPU used by other processes on the machine during the slices, in % of one core "
                + "(should be near 0; ").append(worstOther > 15 ? "**this run was disturbed by other jobs**" : "it was")
                .append(").\n");
        for (Step s : fixed) {
            if (s.rate == targetRate) {
                double a50 = s.e.p(0.5) - s.d.p(0.5), a99 = s.e.p(0.99) - s.d.p(0.99);
                boolean pass = a50 <= targetP50Ms && a99 <= targetP99Ms && s.e.errors() == 0;
                sb.append(String.format(Locale.ROOT, "\nTarget at %d req/s (added p50 ≤ %.0f ms, p99 ≤ %.0f ms, no errors): "
                        + "**%s** (added p50 %s ms, p99 %s ms).\n", targetRate, targetP50Ms, targetP99Ms,
                        pass ? "met" : "NOT met", signed(a50), signed(a99)));
            }
        }
        sb.append("\nServer CPU per request (the Echelon JVM, which also hosts the fake backend; at low rates its idle "
                + "background work inflates both): ");
        List<String> cpu = new ArrayList<>();
        for (Step s : fixed) {
            cpu.add(String.format(Locale.ROOT, "%d req/s: direct %.0f µs, echelon %.0f µs (+%.0f µs)", s.rate,
                    s.d.serverCpuUsPerReq(), s.e.serverCpuUsPerReq(), s.e.serverCpuUsPerReq() - s.d.serverCpuUsPerReq()));
        }
        sb.append(String.join("; ", cpu)).append(".\n");
        if (!ramp.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "\n### Ramp (%.0f s warm-up, %.0f s per target per step; good = p99 ≤ %.0f ms, "
                    + "errors ≤ %.0f%%, achieved ≥ %.0f%% of offered)\n\n", rampWarmupS, rampDurationS, p99LimitMs,
                    errorLimit * 100, achievedMin * 100));
            sb.append("| offered (req/s) | direct p50 / p99 | echelon p50 / p99 | achieved d / e (req/s) | errors d / e "
                    + "| server CPU d / e | other CPU | echelon ok? |\n");
            sb.append("|---:|---:|---:|---:|---|---:|---:|---|\n");
            for (Step s : ramp) {
                sb.append(String.format(Locale.ROOT, "| %d | %s / %s | %s / %s | %.0f / %.0f | %s / %s | %.0f%% / %.0f%% | %.0f%% | %s |\n",
                        s.rate, f(s.d.p(0.5)), f(s.d.p(0.99)), f(s.e.p(0.5)), f(s.e.p(0.99)), s.d.achieved(),
                        s.e.achieved(), s.d.errorSummary(), s.e.errorSummary(), s.d.serverCpuPct(),
                        s.e.serverCpuPct(), Math.max(s.d.otherCpuPct(), s.e.otherCpuPct()),
                        s.good(s.e) ? "yes" : "no: " + s.why(s.e)));
            }
            Step last = ramp.get(ramp.size() - 1);
            String max;
            if (lastGood == null) {
                max = "below " + rampRates[0] + " req/s";
            } else if (last == lastGood) {
                max = "≥ " + lastGood.rate + " req/s"; // every step passed, or the direct path gave out first
            } else {
                max = lastGood.rate + " req/s";
            }
            sb.append(String.format(Locale.ROOT, "\n**Echelon's maximum sustained rate: %s** (the highest good step; "
                    + "stopped: %s).\n", max, stopReason));
        }
        return sb.toString();
    }

    static String jsonStats(Stats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("measured", s.offered);
        m.put("ok", s.ok);
        m.put("p50_ms", s.p(0.5));
        m.put("p90_ms", s.p(0.9));
        m.put("p99_ms", s.p(0.99));
        m.put("p999_ms", s.p(0.999));
        m.put("max_ms", s.max());
        m.put("mean_ms", s.mean());
        m.put("service_p50_ms", s.svcP(0.5));
        m.put("service_p99_ms", s.svcP(0.99));
        m.put("achieved_rps", s.achieved());
        m.put("io_errors", s.ioErrors);
        m.put("timeouts", s.timeouts);
        StringBuilder st = new StringBuilder("{");
        s.statuses.forEach((k, v) -> st.append(st.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        m.put("statuses", new Raw(st.append('}').toString()));
        m.put("server_cpu_pct", s.serverCpuPct());
        m.put("server_cpu_us_per_req", s.serverCpuUsPerReq());
        m.put("loadgen_cpu_pct", s.selfCpuPct());
        m.put("other_cpu_pct", s.otherCpuPct());
        m.put("server_jit_cpu_pct", s.jitCpuPct());
        return obj(m);
    }

    record Raw(String json) {
    }

    static String obj(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(k).append("\":");
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Raw r) {
                sb.append(r.json());
            } else if (v instanceof Double d) {
                sb.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.4f", d));
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                sb.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        });
        return sb.append('}').toString();
    }

    String jsonStep(Step s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rate", s.rate);
        m.put("direct", new Raw(jsonStats(s.d)));
        m.put("echelon", new Raw(jsonStats(s.e)));
        m.put("added_p50_ms", s.e.p(0.5) - s.d.p(0.5));
        m.put("added_p99_ms", s.e.p(0.99) - s.d.p(0.99));
        m.put("sender_lag_p99_ms", Stats.pct(s.lag, 0.99));
        m.put("sender_lag_max_ms", Stats.pct(s.lag, 1.0));
        m.put("echelon_good", s.good(s.e));
        m.put("direct_good", s.good(s.d));
        return obj(m);
    }

    String json(String started, double elapsed, List<Step> fixed, List<Step> ramp, Step lastGood, String stopReason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", started);
        m.put("machine", machine);
        m.put("elapsed_s", elapsed);
        m.put("path", path);
        m.put("warmup_s", warmupS);
        m.put("duration_s", durationS);
        m.put("slices", slices);
        m.put("fixed", new Raw("[" + String.join(",", fixed.stream().map(this::jsonStep).toList()) + "]"));
        m.put("ramp", new Raw("[" + String.join(",", ramp.stream().map(this::jsonStep).toList()) + "]"));
        m.put("max_sustained_rps", lastGood == null ? null : lastGood.rate);
        m.put("ramp_stop_reason", stopReason);
        m.put("ramp_criteria", new Raw(obj(new LinkedHashMap<>(Map.of("p99_limit_ms", p99LimitMs, "error_limit",
                errorLimit, "achieved_min_fraction", achievedMin)))));
        return obj(m) + "\n";
    }
}
