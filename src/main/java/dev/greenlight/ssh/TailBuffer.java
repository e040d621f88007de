package dev.greenlight.ssh;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Output stream keeping only the last {@code capacity} bytes written, so a chatty command cannot exhaust
 * memory while the end of its output, where errors usually are, is kept. Written from MINA's I/O threads,
 * read by the caller: all access is synchronized.
 */
final class TailBuffer extends OutputStream {

    private final byte[] ring;
    private long total;

    TailBuffer(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.ring = new byte[capacity];
    }

    @Override
    public synchronized void write(int b) {
        ring[(int) (total++ % ring.length)] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        // only the last ring.length bytes of a large write can survive
        int skip = Math.max(0, length - ring.length);
        total += skip;
        for (int i = offset + skip; i < offset + length; ) {
            int position = (int) (total % ring.length);
            int chunk = Math.min(offset + length - i, ring.length - position);
            System.arraycopy(bytes, i, ring, position, chunk);
            i += chunk;
            total += chunk;
        }
    }

    /** Bytes written so far, including dropped ones. */
    synchronized long total() {
        return total;
    }

    /** The kept bytes as UTF-8, preceded by a note saying how many earlier bytes were dropped. */
    synchronized String text() {
        if (total <= ring.length) {
            return new String(ring, 0, (int) total, StandardCharsets.UTF_8);
        }
        byte[] tail = new byte[ring.length];
        int start = (int) (total % ring.length);
        System.arraycopy(ring, start, tail, 0, ring.length - start);
        System.arraycopy(ring, 0, tail, ring.length - start, start);
        int from = 0;
        while (from < tail.length && (tail[from] & 0xC0) == 0x80) {
            from++; // do not start inside a multi-byte character
        }
        return "[... " + (total - tail.length + from) + " earlier bytes dropped ...]\n"
                + new String(tail, from, tail.length - from, StandardCharsets.UTF_8);
    }
}
