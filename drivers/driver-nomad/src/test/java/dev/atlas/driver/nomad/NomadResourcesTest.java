package dev.atlas.driver.nomad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NomadResourcesTest {

    @ParameterizedTest(name = "{0} -> {1} MHz")
    @CsvSource({"1000m, 1000", "250m, 250", "1, 1000", "2, 2000", "1.5, 1500", "0.1, 100", "1m, 1"})
    void countsOneCoreAsOneThousandMegahertz(String cpu, int mhz) {
        assertThat(NomadResources.cpuMhz(cpu)).isEqualTo(mhz);
    }

    @ParameterizedTest(name = "{0} -> {1} MiB")
    @CsvSource({"64Mi, 64", "1Gi, 1024", "512M, 489", "1G, 954", "1048576, 10", "20971520, 20", "5Mi, 10", "1.5Gi, 1536"})
    void roundsMemoryUpToWholeMebibytesOfAtLeastTen(String memory, int mb) {
        assertThat(NomadResources.memoryMb(memory)).isEqualTo(mb);
    }

    @Test
    void refusesWhatIsNoQuantity() {
        assertThatThrownBy(() -> NomadResources.cpuMhz("lots")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NomadResources.memoryMb("1Xi")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void derivesJobIdsFromTaskIdsAlone() {
        assertThat(NomadIds.jobId("t-1")).isEqualTo("atlas-t-1");
        assertThat(NomadIds.jobId("a/b c")).matches("atlas-a-b-c-[0-9a-f]{16}");
        assertThat(NomadIds.jobId("a/b")).isNotEqualTo(NomadIds.jobId("a:b"));
        assertThat(NomadIds.jobId("../..")).doesNotContain("/").doesNotContain("..");
    }
}
