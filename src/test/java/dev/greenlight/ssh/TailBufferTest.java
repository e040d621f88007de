package dev.greenlight.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class TailBufferTest {

    @Test
    void keepsEverythingUpToCapacity() {
        TailBuffer buffer = new TailBuffer(8);
        buffer.write("abc".getBytes(StandardCharsets.UTF_8), 0, 3);
        buffer.write('d');
        buffer.write("xxefghxx".getBytes(StandardCharsets.UTF_8), 2, 4);
        assertThat(buffer.text()).isEqualTo("abcdefgh");
        assertThat(buffer.total()).isEqualTo(8);
    }

    @Test
    void keepsTheTailAndSaysHowMuchWasDropped() {
        TailBuffer buffer = new TailBuffer(4);
        buffer.write("abcdef".getBytes(StandardCharsets.UTF_8), 0, 6);
        buffer.write('g');
        buffer.write("hi".getBytes(StandardCharsets.UTF_8), 0, 2);
        assertThat(buffer.total()).isEqualTo(9);
        assertThat(buffer.text()).isEqualTo("[... 5 earlier bytes dropped ...]\nfghi");

        byte[] large = "0123456789".getBytes(StandardCharsets.UTF_8);
        buffer.write(large, 0, large.length);
        assertThat(buffer.text()).isEqualTo("[... 15 earlier bytes dropped ...]\n6789");
    }

    @Test
    void doesNotStartInsideAMultiByteCharacter() {
        TailBuffer buffer = new TailBuffer(5);
        byte[] text = "aé€z".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 1 bytes
        buffer.write(text, 0, text.length);
        assertThat(buffer.text()).isEqualTo("[... 3 earlier bytes dropped ...]\n€z");
    }
}
