package minitransformer.training.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version Maven wrote into the jar manifest, so it is stated in one place: pom.xml. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"minitransformer " + (version == null ? "(development build)" : version)};
  }
}
