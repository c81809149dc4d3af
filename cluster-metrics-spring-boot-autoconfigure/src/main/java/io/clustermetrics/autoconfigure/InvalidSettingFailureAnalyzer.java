package io.clustermetrics.autoconfigure;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * Reports a refused {@code cluster.metrics} setting as Boot reports a value it cannot convert: the property, its
 * value as written, where it was set (a file and line, say) and why it was refused. Without it, Boot's report of
 * the failed binding names only the group the setting is in, and the value as converted.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class InvalidSettingFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConfigurationPropertyValueException> {

    private final Environment environment;

    InvalidSettingFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationPropertyValueException cause) {
        if (!cause.getName().startsWith("cluster.metrics.")) {
            return null;
        }
        ConfigurationProperty property = null;
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            property = source.getConfigurationProperty(ConfigurationPropertyName.of(cause.getName()));
            if (property != null) {
                break;
            }
        }
        Object value = property == null ? cause.getValue() : property.getValue();
        String origin = property == null || property.getOrigin() == null ? ""
                : " (originating from '" + property.getOrigin() + "')";
        return new FailureAnalysis("Invalid value '" + value + "' for configuration property '" + cause.getName() + "'"
                + origin + ":\n\n    " + cause.getReason(),
                "Change " + cause.getName() + " (its bounds are in the property's description, or README.md).", cause);
    }
}
