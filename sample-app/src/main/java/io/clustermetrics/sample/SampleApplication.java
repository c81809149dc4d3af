package io.clustermetrics.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** One node of the sample cluster. */
@SpringBootApplication
public class SampleApplication {

    /** Starts the node. */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
