package org.prefixmoe.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's submit command for each kind of master (its dry run: the command, one word per
 * line): the application jar as SparkSubmit's primary resource, the JVM flags on the driver and the
 * executors, spark-submit's options apart from the application's. The standalone route is run for
 * real by {@link StandaloneClusterTest}.
 */
class LauncherTest {
    @TempDir
    Path dir;

    record Result(int code, List<String> out, String err) {
    }

    private Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("spark/bin/prefixmoe-spark"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("SPARK_HOME");
        pb.environment().put("PREFIXMOE_SPARK_NO_BUILD", "1");
        pb.environment().put("PREFIXMOE_SPARK_DRY_RUN", "1");
        pb.environment().put("PREFIXMOE_SPARK_LOG", dir.resolve("run.log").toString());
        pb.environment().putAll(env);
        Path err = dir.resolve("err.txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        int code = p.waitFor();
        return new Result(code, out, Files.readString(err));
    }

    private static String after(List<String> words, String option, String prefix) {
        for (int i = 0; i + 1 < words.size(); i++) {
            if (words.get(i).equals(option) && words.get(i + 1).startsWith(prefix)) {
                return words.get(i + 1);
            }
        }
        throw new AssertionError("no " + option + " " + prefix + " in " + words);
    }

    private static void shipsTheJarAndTheFlags(List<String> w, String master) {
        assertEquals(master, after(w, "--master", ""));
        assertEquals("org.prefixmoe.spark.Main", after(w, "--class", ""));
        int jar = -1;
        for (int i = 0; i < w.size(); i++) {
            if (w.get(i).endsWith("/spark/target/prefixmoe-spark-0.1.0-SNAPSHOT-all.jar")) {
                jar = i;
            }
        }
        assertTrue(jar > 0, "the application jar is the primary resource: " + w);
        assertEquals(List.of("simulations/main.yaml", "-o", "hdfs://nn/plots", "--partitions", "64"),
                w.subList(jar + 1, w.size()), "the application's arguments follow the jar");
        String exec = after(w, "--conf", "spark.executor.extraJavaOptions=");
        String driver = after(w, "--conf", "spark.driver.extraJavaOptions=");
        for (String flags : List.of(exec, driver)) {
            assertTrue(flags.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
                    && flags.contains("--add-modules=jdk.incubator.vector") && !flags.contains("#"), flags);
        }
        assertTrue(exec.endsWith(" -XX:+UseG1GC"), "the user's executor options come after ours: " + exec);
        assertTrue(driver.contains("-Dprefixmoe.spark.log="), driver);
    }

    @Test
    void yarnAndKubernetesGoThroughTheInstallationsSparkSubmit() throws IOException, InterruptedException {
        Path home = dir.resolve("spark-home");
        Files.createDirectories(home.resolve("bin"));
        Path submit = Files.writeString(home.resolve("bin/spark-submit"), "#!/bin/sh\nexit 0\n");
        submit.toFile().setExecutable(true);
        for (String master : List.of("yarn", "k8s://https://10.0.0.1:6443", "spark://10.0.0.2:7077")) {
            Result r = launch(Map.of("SPARK_HOME", home.toString()), "--master", master, "--deploy-mode", "cluster",
                    "--conf", "spark.executor.extraJavaOptions=-XX:+UseG1GC", "--num-executors", "4",
                    "simulations/main.yaml", "-o", "hdfs://nn/plots", "--partitions", "64");
            assertEquals(0, r.code(), r.err());
            List<String> w = r.out();
            assertEquals(submit.toString(), w.get(0));
            shipsTheJarAndTheFlags(w, master);
            assertEquals("cluster", after(w, "--deploy-mode", ""));
            assertEquals("4", after(w, "--num-executors", ""));
        }
    }

    @Test
    void withoutAnInstallationJavaRunsSparkSubmitOnTheModulesClasspath() throws IOException, InterruptedException {
        Result r = launch(Map.of(), "--master", "spark://10.0.0.2:7077", "--driver-memory", "2g",
                "--conf", "spark.executor.extraJavaOptions=-XX:+UseG1GC", "simulations/main.yaml", "-o",
                "hdfs://nn/plots", "--partitions", "64");
        assertEquals(0, r.code(), r.err());
        List<String> w = r.out();
        assertEquals("java", w.get(0));
        assertTrue(w.contains("-Xmx2g") && w.contains("--add-opens=java.base/java.nio=ALL-UNNAMED")
                && w.contains("org.apache.spark.deploy.SparkSubmit"), w.toString());
        shipsTheJarAndTheFlags(w, "spark://10.0.0.2:7077");

        Result yarn = launch(Map.of(), "--master", "yarn", "simulations/main.yaml");
        assertEquals(2, yarn.code());
        assertTrue(yarn.err().strip().lines().count() == 1 && yarn.err().contains("set SPARK_HOME"), yarn.err());
        Result bogus = launch(Map.of(), "--master", "bogus://x", "simulations/main.yaml");
        assertEquals(2, bogus.code());
        assertTrue(bogus.err().strip().lines().count() == 1 && bogus.err().contains("not a Spark master URL"),
                bogus.err());
        assertEquals("local[*]", after(launch(Map.of(), "simulations/main.yaml").out(), "--master", ""));
    }
}
