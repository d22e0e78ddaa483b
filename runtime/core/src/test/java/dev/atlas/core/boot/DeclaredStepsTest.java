package dev.atlas.core.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class DeclaredStepsTest {
    private final Processor step = exchange -> { };

    /** A duty that declares one step. */
    private static final class OneStepDuty implements ApplicationModule {
        @Override
        public String id() {
            return "one-step";
        }

        @Override
        public Set<String> steps() {
            return Set.of("declaredStep");
        }

        @Override
        public void configure(ModuleContext context) {
        }
    }

    @Test
    void bindsAStepTheDutyDeclared() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            AtlasApplication.declaredOnly(new OneStepDuty(), camel).accept("declaredStep", step);
            assertThat(camel.getRegistry().lookupByName("declaredStep")).isSameAs(step);
        }
    }

    @Test
    void refusesToBindANameTheDutyDidNotDeclareSoTheRouteCheckerNeverMissesIt() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            BiConsumer<String, Object> binder = AtlasApplication.declaredOnly(new OneStepDuty(), camel);
            assertThatThrownBy(() -> binder.accept("webhookSpool", step))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("one-step").hasMessageContaining("webhookSpool");
            assertThat(camel.getRegistry().lookupByName("webhookSpool")).isNull();
        }
    }

    @Test
    void theRouteCheckerKnowsTheHostsNamesAndEveryDutysDeclaredSteps() {
        assertThat(RouteGuards.knownNames()).containsAll(RouteGuards.HOST_NAMES)
            .contains("webhookVerify", "proxyPolicy", "taskAuthenticate").doesNotContain("noSuchStep");
    }
}
