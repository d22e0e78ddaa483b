package dev.atlas.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class UniqueIdsTest {

    @Test
    void givesVersionFourShapedUuidsThatParseBack() {
        String id = UniqueIds.next();
        UUID parsed = UUID.fromString(id);
        assertThat(parsed.toString()).isEqualTo(id);
        assertThat(parsed.version()).isEqualTo(4);
        assertThat(parsed.variant()).isEqualTo(2);
    }

    @Test
    void neverRepeatsAcrossThreads() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 200_000).parallel().forEach(i -> seen.add(UniqueIds.next()));
        assertThat(seen).hasSize(200_000);
        Set<String> again = new HashSet<>();
        IntStream.range(0, 1_000).forEach(i -> again.add(UniqueIds.next()));
        assertThat(again).doesNotContainAnyElementsOf(seen);
    }
}
