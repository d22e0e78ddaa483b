package dev.atlas.core.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModulesTest {

    private static ApplicationModule duty(String id, int order) {
        return new ApplicationModule() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public int order() {
                return order;
            }

            @Override
            public void configure(ModuleContext context) {
            }
        };
    }

    @Test
    void arrangesDutiesByOrderWhateverOrderTheClassPathListsThem() {
        List<ApplicationModule> arranged = Modules.arrange(
            List.of(duty("results", 60), duty("webhooks", 10), duty("tasks", 40), duty("proxy", 20)),
            List.of("webhooks", "proxy"));

        assertThat(arranged).extracting(ApplicationModule::id).containsExactly("webhooks", "proxy", "tasks", "results");
    }

    @Test
    void breaksOrderTiesById() {
        List<ApplicationModule> arranged = Modules.arrange(List.of(duty("b", 5), duty("a", 5)), List.of());

        assertThat(arranged).extracting(ApplicationModule::id).containsExactly("a", "b");
    }

    @Test
    void refusesToStartWhenADutyTheRoutesNeedIsMissing() {
        assertThatThrownBy(() -> Modules.arrange(List.of(duty("webhooks", 10)), List.of("webhooks", "proxy", "tasks")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("the proxy duty is missing")
            .hasMessageContaining("the tasks duty is missing");
    }

    @Test
    void refusesTwoModulesClaimingOneDuty() {
        assertThatThrownBy(() -> Modules.arrange(List.of(duty("proxy", 20), duty("proxy", 21)), List.of("proxy")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("two modules claim the duty proxy");
    }
}
